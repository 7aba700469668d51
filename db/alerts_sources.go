package db

import (
	"context"
	"fmt"
)

// UnresolvedAlert returns the open or acknowledged alert of a hub or device and kind, or ErrNotFound. It reads from
// the read pool, so a frequent event (a lock turning, a heartbeat) can ask before anything is written.
func (s *Store) UnresolvedAlert(ctx context.Context, hubID, deviceID, kind string) (Alert, error) {
	var row alertRow
	err := s.r.GetContext(ctx, &row, `SELECT `+alertCols+` FROM alerts
		WHERE hub_id = ? AND device_id = ? AND kind = ? AND state <> 'resolved'`, hubID, deviceID, kind)
	if err != nil {
		return Alert{}, fmt.Errorf("db: unresolved alert %s on %s/%s: %w", kind, hubID, deviceID, notFound(err))
	}
	return row.alert(), nil
}

// DevicesForAlerts returns the devices that may have a condition: an alert, a battery below maxBattery, or a
// thermostat (its room temperature); none is an empty slice.
func (s *Store) DevicesForAlerts(ctx context.Context, maxBattery int) ([]Device, error) {
	rows := []deviceRow{}
	err := s.r.SelectContext(ctx, &rows, `SELECT `+deviceColsD+` FROM devices d
		WHERE d.alert <> '' OR d.battery < ? OR d.type = 'thermostat' ORDER BY d.id`, maxBattery)
	if err != nil {
		return nil, fmt.Errorf("db: devices for alerts: %w", err)
	}
	out := make([]Device, len(rows))
	for i, r := range rows {
		out[i] = r.device()
	}
	return out, nil
}

// OfflineHubs returns every hub the mirror holds offline; none is an empty slice.
func (s *Store) OfflineHubs(ctx context.Context) ([]Hub, error) {
	rows := []hubRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+hubColsH+` FROM hubs h WHERE h.online = 0 ORDER BY h.id`); err != nil {
		return nil, fmt.Errorf("db: offline hubs: %w", err)
	}
	out := make([]Hub, len(rows))
	for i, r := range rows {
		out[i] = r.hub()
	}
	return out, nil
}
