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
	if err := c.selectIn(ctx, &hubRows, `SELECT `+hubCols+` FROM hubs WHERE id IN (`+jsonValues(c.tx.DriverName(), false)+`)`+c.forUpdate(), hubs); err != nil {
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
	if err := c.selectIn(ctx, &devRows, `SELECT `+deviceCols+` FROM devices WHERE id IN (`+jsonValues(c.tx.DriverName(), false)+`)`+c.forUpdate(), devices); err != nil {
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

// forUpdate is, on PostgreSQL, what makes prefetch lock the rows it reads until the batch commits, in key order (the
// lock is taken above the sort). Two instances' batches that share a hub then run one after the other, and the
// second reads the first one's committed row rather than a copy that its own write would overwrite. SQLite has one
// writer, whose transaction holds the database lock from BEGIN IMMEDIATE.
func (c *markCache) forUpdate() string {
	if c.tx.DriverName() == "pgx" {
		return ` ORDER BY id FOR UPDATE`
	}
	return ""
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

// flushRows writes every hub and device the batch changed, once each: one UPDATE … FROM (VALUES …) per table and
// rowsPerStatement rows, not a statement per row, since on PostgreSQL every statement is a round trip that the
// batch's transaction (and its row locks) waits on. Rows go in key order, so that two instances' writers lock shared
// rows in the same order (map order made `deadlock detected` aborts under a two-instance flood); on PostgreSQL
// prefetch has already locked them, in the same order. The casts type the VALUES columns for PostgreSQL (a bare
// parameter there is text); SQLite reads them as affinities.
func (c *markCache) flushRows(ctx context.Context) error {
	var hubArgs, devArgs [][]any
	for _, key := range slices.Sorted(maps.Keys(c.dirty)) {
		if id, ok := strings.CutPrefix(key, "hub:"); ok {
			h := c.hubs[id]
			hubArgs = append(hubArgs, []any{id, h.Online, h.Status, nullMS(h.LastHeartbeatAt), h.PowerSource})
			continue
		}
		id := strings.TrimPrefix(key, "device:")
		d := c.devices[id]
		devArgs = append(devArgs, []any{id, d.State, nullInt(d.Battery), d.Online, d.Alert, ms(d.StateChangedAt)})
	}
	if err := c.updateFrom(ctx, "devices", `state = v.column2, battery = v.column3, online = v.column4, alert = v.column5,
		state_changed_at = v.column6`, `(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER),
		CAST(? AS TEXT), CAST(? AS BIGINT))`, devArgs); err != nil {
		return fmt.Errorf("update devices: %w", err)
	}
	if err := c.updateFrom(ctx, "hubs", `online = v.column2, status = v.column3, last_heartbeat_at = v.column4,
		power_source = v.column5`, `(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT),
		CAST(? AS TEXT))`, hubArgs); err != nil {
		return fmt.Errorf("update hubs: %w", err)
	}
	return nil
}

// updateFrom sets the columns of table's rows whose id is a row's first value, rowsPerStatement rows a statement.
func (c *markCache) updateFrom(ctx context.Context, table, set, row string, rows [][]any) error {
	for start := 0; start < len(rows); start += rowsPerStatement {
		chunk := rows[start:min(start+rowsPerStatement, len(rows))]
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := `UPDATE ` + table + ` SET ` + set + ` FROM (VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ") +
			`) AS v WHERE ` + table + `.id = v.column1`
		if _, err := c.tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
