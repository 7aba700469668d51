package db

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Snapshot is the whole upstream portfolio as read by one full sync at time At.
type Snapshot struct {
	Properties []Property
	Hubs       []Hub
	Devices    []Device
	At         time.Time
}

// validate checks that the snapshot only refers to rows it contains, so ApplySync can name the
// offending row instead of failing on an anonymous foreign-key error halfway through.
func (snap Snapshot) validate() error {
	if snap.At.IsZero() {
		return errors.New("snapshot time At is required")
	}
	props := make(map[int64]struct{}, len(snap.Properties))
	for _, p := range snap.Properties {
		props[p.ID] = struct{}{}
	}
	hubs := make(map[string]struct{}, len(snap.Hubs))
	for _, h := range snap.Hubs {
		if h.ID == "" {
			return errors.New("a hub has no id")
		}
		if h.PropertyID != nil {
			if _, ok := props[*h.PropertyID]; !ok {
				return fmt.Errorf("hub %s: property %d is not in the snapshot", h.ID, *h.PropertyID)
			}
		}
		hubs[h.ID] = struct{}{}
	}
	for _, d := range snap.Devices {
		if d.ID == "" {
			return fmt.Errorf("a device of hub %s has no id", d.HubID)
		}
		if _, ok := hubs[d.HubID]; !ok {
			return fmt.Errorf("device %s: hub %s is not in the snapshot", d.ID, d.HubID)
		}
		if d.PropertyID != nil {
			if _, ok := props[*d.PropertyID]; !ok {
				return fmt.Errorf("device %s: property %d is not in the snapshot", d.ID, *d.PropertyID)
			}
		}
		if !validAlert(d.Alert) {
			return fmt.Errorf("device %s: unknown alert %q", d.ID, d.Alert)
		}
	}
	return nil
}

// ApplySync makes the mirror equal to snap in one transaction: it upserts every property, hub and
// device (each stamped SyncedAt = snap.At; a zero device StateChangedAt also becomes snap.At) and
// deletes mirrored rows the snapshot no longer has. Applying the same snapshot twice changes
// nothing. Pages keep reading the previous mirror until the commit, and a failure leaves it whole.
func (s *Store) ApplySync(ctx context.Context, snap Snapshot) error {
	if err := snap.validate(); err != nil {
		return fmt.Errorf("db: apply sync: %w", err)
	}
	err := s.inTx(ctx, func(tx *dbTx) error {
		ps, hs, ds := snap.Properties, snap.Hubs, snap.Devices
		if i, err := execEach(ctx, tx, upsertPropertySQL, len(ps), func(i int) []any {
			p := ps[i]
			p.SyncedAt = snap.At
			return p.upsertArgs()
		}); err != nil {
			return fmt.Errorf("property %d: %w", ps[i].ID, err)
		}
		if i, err := execEach(ctx, tx, upsertHubSQL, len(hs), func(i int) []any {
			h := hs[i]
			h.SyncedAt = snap.At
			return h.upsertArgs()
		}); err != nil {
			return fmt.Errorf("hub %s: %w", hs[i].ID, err)
		}
		if i, err := execEach(ctx, tx, upsertDeviceSQL, len(ds), func(i int) []any {
			d := ds[i]
			d.SyncedAt = snap.At
			return d.withDefaults(snap.At).upsertArgs()
		}); err != nil {
			return fmt.Errorf("device %s: %w", ds[i].ID, err)
		}
		// Children first, so no delete cascades into a row this sweep is about to look at.
		if err := deleteMissing(ctx, tx, "devices", ids(ds, func(d Device) string { return d.ID })); err != nil {
			return err
		}
		if err := deleteMissing(ctx, tx, "hubs", ids(hs, func(h Hub) string { return h.ID })); err != nil {
			return err
		}
		return deleteMissing(ctx, tx, "properties", ids(ps, func(p Property) int64 { return p.ID }))
	})
	if err != nil {
		return fmt.Errorf("db: apply sync: %w", err)
	}
	return nil
}

// execEach runs one prepared statement n times with args(i); on failure it returns the index.
func execEach(ctx context.Context, tx *dbTx, query string, n int, args func(i int) []any) (int, error) {
	if n == 0 {
		return 0, nil
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
			return i, err
		}
	}
	return 0, nil
}

func ids[T any, K comparable](rows []T, id func(T) K) map[K]struct{} {
	set := make(map[K]struct{}, len(rows))
	for _, r := range rows {
		set[id(r)] = struct{}{}
	}
	return set
}

// deleteMissing deletes the rows of table (a constant name) whose id is not in keep. The ids are
// compared in Go: reading 40,000 keys is faster and more portable than a temporary table.
func deleteMissing[K comparable](ctx context.Context, tx *dbTx, table string, keep map[K]struct{}) error {
	var have []K
	if err := tx.SelectContext(ctx, &have, `SELECT id FROM `+table); err != nil {
		return fmt.Errorf("list %s: %w", table, err)
	}
	var gone []K
	for _, id := range have {
		if _, ok := keep[id]; !ok {
			gone = append(gone, id)
		}
	}
	if _, err := execEach(ctx, tx, `DELETE FROM `+table+` WHERE id = ?`, len(gone), func(i int) []any {
		return []any{gone[i]}
	}); err != nil {
		return fmt.Errorf("delete vanished %s: %w", table, err)
	}
	return nil
}
