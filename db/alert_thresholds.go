package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// GlobalThresholds is the PropertyID of the row holding the defaults for every property.
const GlobalThresholds int64 = 0

// AlertThresholds is one row of alert limits: the global defaults (PropertyID 0) or one property's overrides. A nil
// field inherits (the global value, else the built-in default the domain names). The migration's CHECKs repeat the
// allowed ranges, so a bad value that slips past validation is refused, not stored.
type AlertThresholds struct {
	PropertyID        int64
	LowBatteryPercent *int // a battery below this is low
	OfflineGraceMin   *int // minutes a hub may be offline before it is an alert
	TempHighF         *int // a room above this is too hot (°F)
	TempLowF          *int // a room below this is too cold (°F)
	UpdatedAt         time.Time
	UpdatedBy         *int64
}

type thresholdRow struct {
	PropertyID int64         `db:"property_id"`
	LowBattery sql.NullInt64 `db:"low_battery_percent"`
	Grace      sql.NullInt64 `db:"offline_grace_min"`
	High       sql.NullInt64 `db:"temp_high_f"`
	Low        sql.NullInt64 `db:"temp_low_f"`
	UpdatedAt  int64         `db:"updated_at"`
	UpdatedBy  sql.NullInt64 `db:"updated_by"`
}

const thresholdCols = `property_id, low_battery_percent, offline_grace_min, temp_high_f, temp_low_f, updated_at, updated_by`

// ListAlertThresholds returns every row, the global one (if set) first; none is an empty slice.
func (s *Store) ListAlertThresholds(ctx context.Context) ([]AlertThresholds, error) {
	rows := []thresholdRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+thresholdCols+` FROM alert_thresholds ORDER BY property_id`); err != nil {
		return nil, fmt.Errorf("db: alert thresholds: %w", err)
	}
	out := make([]AlertThresholds, len(rows))
	for i, r := range rows {
		out[i] = AlertThresholds{PropertyID: r.PropertyID, LowBatteryPercent: fromNullInt(r.LowBattery),
			OfflineGraceMin: fromNullInt(r.Grace), TempHighF: fromNullInt(r.High), TempLowF: fromNullInt(r.Low),
			UpdatedAt: fromMS(r.UpdatedAt), UpdatedBy: fromNullInt64(r.UpdatedBy)}
	}
	return out, nil
}

// SetAlertThresholds stores t, replacing the row of its PropertyID. Zero UpdatedAt means now.
func (s *Store) SetAlertThresholds(ctx context.Context, t AlertThresholds) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO alert_thresholds (`+thresholdCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (property_id) DO UPDATE SET low_battery_percent = excluded.low_battery_percent,
			offline_grace_min = excluded.offline_grace_min, temp_high_f = excluded.temp_high_f,
			temp_low_f = excluded.temp_low_f, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		t.PropertyID, nullInt(t.LowBatteryPercent), nullInt(t.OfflineGraceMin), nullInt(t.TempHighF),
		nullInt(t.TempLowF), ms(nowOr(t.UpdatedAt)), nullInt64(t.UpdatedBy))
	if err != nil {
		return fmt.Errorf("db: set alert thresholds of %d: %w", t.PropertyID, err)
	}
	return nil
}

// DeleteAlertThresholds removes a row (a property back to the global values); none is ErrNotFound.
func (s *Store) DeleteAlertThresholds(ctx context.Context, propertyID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM alert_thresholds WHERE property_id = ?`, propertyID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: delete alert thresholds of %d: %w", propertyID, err)
	}
	return nil
}

// PendingAlert is a condition waiting out its grace period before it becomes an alert.
type PendingAlert struct {
	HubID    string
	DeviceID string
	Kind     string
	Since    time.Time
}

// PendAlert records that a condition was first seen at since, unless it is already pending, and returns when it
// was first seen.
func (s *Store) PendAlert(ctx context.Context, hubID, deviceID, kind string, since time.Time) (time.Time, error) {
	var first int64
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_pending (hub_id, device_id, kind, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (hub_id, device_id, kind) DO NOTHING`, hubID, deviceID, kind, ms(nowOr(since))); err != nil {
			return err
		}
		return tx.GetContext(ctx, &first, `SELECT since FROM alert_pending WHERE hub_id = ? AND device_id = ? AND kind = ?`,
			hubID, deviceID, kind)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("db: pend alert %s on %s/%s: %w", kind, hubID, deviceID, err)
	}
	return fromMS(first), nil
}

// UnpendAlert forgets a pending condition (it cleared, or became an alert); none pending is not an error.
func (s *Store) UnpendAlert(ctx context.Context, hubID, deviceID, kind string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM alert_pending WHERE hub_id = ? AND device_id = ? AND kind = ?`,
		hubID, deviceID, kind); err != nil {
		return fmt.Errorf("db: unpend alert %s on %s/%s: %w", kind, hubID, deviceID, err)
	}
	return nil
}

// PendingAlerts returns the pending conditions of a kind, oldest first; none is an empty slice.
func (s *Store) PendingAlerts(ctx context.Context, kind string) ([]PendingAlert, error) {
	rows := []struct {
		HubID    string `db:"hub_id"`
		DeviceID string `db:"device_id"`
		Kind     string `db:"kind"`
		Since    int64  `db:"since"`
	}{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT hub_id, device_id, kind, since FROM alert_pending
		WHERE kind = ? ORDER BY since`, kind); err != nil {
		return nil, fmt.Errorf("db: pending alerts: %w", err)
	}
	out := make([]PendingAlert, len(rows))
	for i, r := range rows {
		out[i] = PendingAlert{HubID: r.HubID, DeviceID: r.DeviceID, Kind: r.Kind, Since: fromMS(r.Since)}
	}
	return out, nil
}
