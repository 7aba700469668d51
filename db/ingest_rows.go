package db

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The batch's copy of the mirror rows its live changes touch (markCache, ingest_batch.go): read with one query per
// table at the start of the batch, changed in memory in delivery order by applyLive, written once at the end.

// prefetch reads, a query each, the hubs, devices and live marks the batch's changes touch.
func (c *markCache) prefetch(ctx context.Context, fresh []*ingestReq) error {
	hubs, devices, entities := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, req := range fresh {
		ch := req.item.Live
		if ch == nil {
			continue
		}
		if ch.touchesHub() {
			hubs[ch.HubID], entities["hub:"+ch.HubID] = true, true
		}
		if ch.touchesDevice() {
			devices[ch.DeviceID], entities["device:"+ch.DeviceID] = true, true
		}
	}
	if len(entities) == 0 {
		return nil
	}
	var hubRows []hubRow
	if err := c.selectIn(ctx, &hubRows, `SELECT `+hubCols+` FROM hubs WHERE id IN (`+jsonValues(c.tx.DriverName(), false)+`)`, hubs); err != nil {
		return fmt.Errorf("hubs: %w", err)
	}
	for id := range hubs {
		c.hubs[id] = nil
	}
	for _, r := range hubRows {
		h := r.hub()
		c.hubs[h.ID] = &h
	}
	var devRows []deviceRow
	if err := c.selectIn(ctx, &devRows, `SELECT `+deviceCols+` FROM devices WHERE id IN (`+jsonValues(c.tx.DriverName(), false)+`)`, devices); err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	for id := range devices {
		c.devices[id] = nil
	}
	for _, r := range devRows {
		d := r.device()
		c.devices[d.ID] = &d
	}
	var marks []struct {
		Entity string `db:"entity"`
		Field  string `db:"field"`
		At     int64  `db:"at"`
	}
	if err := c.selectIn(ctx, &marks, `SELECT entity, field, at FROM live_marks WHERE entity IN (`+jsonValues(c.tx.DriverName(), false)+`)`, entities); err != nil {
		return fmt.Errorf("live marks: %w", err)
	}
	for e := range entities {
		c.byID[e] = map[string]int64{}
	}
	for _, m := range marks {
		c.byID[m.Entity][m.Field] = m.At
	}
	return nil
}

// selectIn runs q with the keys of ids as its one argument, a JSON array.
func (c *markCache) selectIn(ctx context.Context, dest any, q string, ids map[string]bool) error {
	if len(ids) == 0 {
		return nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	arg, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return c.tx.SelectContext(ctx, dest, q, string(arg))
}

// flushRows writes every hub and device the batch changed, once each, in key order: two instances' writers on one
// PostgreSQL database then lock shared rows in the same order, so neither waits on the other in a cycle (map order
// made `deadlock detected` aborts and 503s under a two-instance flood).
func (c *markCache) flushRows(ctx context.Context) error {
	for _, key := range slices.Sorted(maps.Keys(c.dirty)) {
		if id, ok := strings.CutPrefix(key, "hub:"); ok {
			h := c.hubs[id]
			_, err := c.tx.ExecContext(ctx, `UPDATE hubs SET online = ?, status = ?, last_heartbeat_at = ?, power_source = ?
				WHERE id = ?`, h.Online, h.Status, nullMS(h.LastHeartbeatAt), h.PowerSource, id)
			if err != nil {
				return fmt.Errorf("update hub %s: %w", id, err)
			}
			continue
		}
		id := strings.TrimPrefix(key, "device:")
		d := c.devices[id]
		_, err := c.tx.ExecContext(ctx, `UPDATE devices SET state = ?, battery = ?, online = ?, alert = ?, state_changed_at = ?
			WHERE id = ?`, d.State, nullInt(d.Battery), d.Online, d.Alert, ms(d.StateChangedAt), id)
		if err != nil {
			return fmt.Errorf("update device %s: %w", id, err)
		}
	}
	return nil
}
