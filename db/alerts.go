package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Alert kinds besides the device alert values (AlertLeak…) and AlertLowBattery, AlertHubOffline: a thermostat's
// room temperature outside its property's limits.
const (
	AlertTemperatureHigh = "temperature_high"
	AlertTemperatureLow  = "temperature_low"
)

// AlertKinds are every kind an alert record may have, in the order pages list them.
var AlertKinds = []string{AlertLeak, AlertSmoke, AlertTamper, AlertJammed, AlertLowBattery, AlertHubOffline,
	AlertTemperatureHigh, AlertTemperatureLow}

// Alert states: open → acknowledged → resolved; open may go straight to resolved.
const (
	AlertOpen         = "open"
	AlertAcknowledged = "acknowledged"
	AlertResolved     = "resolved"
)

// Alert severities.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// AlertSeverity is a kind's severity: water and smoke can destroy a home within the hour, so they are critical;
// everything else can wait for office hours.
func AlertSeverity(kind string) string {
	if kind == AlertLeak || kind == AlertSmoke {
		return SeverityCritical
	}
	return SeverityWarning
}

// ValidAlertKind reports whether kind is one of AlertKinds.
func ValidAlertKind(kind string) bool {
	for _, k := range AlertKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Alert is one alert record. At most one per hub or device and kind is unresolved at a time.
type Alert struct {
	ID             int64
	Kind           string
	Severity       string
	State          string // AlertOpen, AlertAcknowledged or AlertResolved
	PropertyID     *int64
	HubID          string
	DeviceID       string // "" for a hub's alert
	OpenedAt       time.Time
	LastSeenAt     time.Time
	Flaps          int // how often the condition was reported again while unresolved
	AcknowledgedBy *int64
	AcknowledgedAt *time.Time
	AckNote        string
	ResolvedAt     *time.Time
	ResolvedBy     *int64 // nil with ResolvedAt set: resolved automatically, the condition cleared
	Detail         string
}

type alertRow struct {
	ID             int64         `db:"id"`
	Kind           string        `db:"kind"`
	Severity       string        `db:"severity"`
	State          string        `db:"state"`
	PropertyID     sql.NullInt64 `db:"property_id"`
	HubID          string        `db:"hub_id"`
	DeviceID       string        `db:"device_id"`
	OpenedAt       int64         `db:"opened_at"`
	LastSeenAt     int64         `db:"last_seen_at"`
	Flaps          int           `db:"flaps"`
	AcknowledgedBy sql.NullInt64 `db:"acknowledged_by"`
	AcknowledgedAt sql.NullInt64 `db:"acknowledged_at"`
	AckNote        string        `db:"ack_note"`
	ResolvedAt     sql.NullInt64 `db:"resolved_at"`
	ResolvedBy     sql.NullInt64 `db:"resolved_by"`
	Detail         string        `db:"detail"`
}

const alertCols = `id, kind, severity, state, property_id, hub_id, device_id, opened_at, last_seen_at, flaps,
	acknowledged_by, acknowledged_at, ack_note, resolved_at, resolved_by, detail`

var alertColsA = qualify("a", alertCols)

func (r alertRow) alert() Alert {
	return Alert{ID: r.ID, Kind: r.Kind, Severity: r.Severity, State: r.State, PropertyID: fromNullInt64(r.PropertyID),
		HubID: r.HubID, DeviceID: r.DeviceID, OpenedAt: fromMS(r.OpenedAt), LastSeenAt: fromMS(r.LastSeenAt),
		Flaps: r.Flaps, AcknowledgedBy: fromNullInt64(r.AcknowledgedBy), AcknowledgedAt: fromNullMS(r.AcknowledgedAt),
		AckNote: r.AckNote, ResolvedAt: fromNullMS(r.ResolvedAt), ResolvedBy: fromNullInt64(r.ResolvedBy), Detail: r.Detail}
}

// AlertRaise is a condition reported for a hub or a device.
type AlertRaise struct {
	Kind       string
	PropertyID *int64
	HubID      string
	DeviceID   string // "" for a hub's condition
	Detail     string
	At         time.Time // when it was reported; zero means now
	// Repeat says the report is a new occurrence (a webhook), not the same state read again (a sync): only a
	// repeat counts as a flap of an alert already unresolved.
	Repeat bool
}

// raiseTries bounds RaiseAlert's retries when another instance opens the same alert at the same moment.
const raiseTries = 3

// RaiseAlert opens an alert for r's condition, or, when one is already unresolved for that hub or device and
// kind, records the report on it (last seen, detail, and a flap when r.Repeat). opened says a new alert was made.
func (s *Store) RaiseAlert(ctx context.Context, r AlertRaise) (a Alert, opened bool, err error) {
	if !ValidAlertKind(r.Kind) || r.HubID == "" {
		return Alert{}, false, fmt.Errorf("db: raise alert %q on hub %q: unknown kind or no hub", r.Kind, r.HubID)
	}
	at := ms(nowOr(r.At))
	for try := 0; try < raiseTries; try++ {
		err = s.inTx(ctx, func(tx *dbTx) error {
			a, opened, err = raiseInTx(ctx, tx, r, at)
			return err
		})
		// A concurrent open by another instance loses to the partial unique index: the next try finds its row.
		if !isUnique(err) && !isRetryable(err) {
			break
		}
	}
	if err != nil {
		return Alert{}, false, fmt.Errorf("db: raise alert %s on %s/%s: %w", r.Kind, r.HubID, r.DeviceID, err)
	}
	return a, opened, nil
}

func raiseInTx(ctx context.Context, tx *dbTx, r AlertRaise, at int64) (Alert, bool, error) {
	var row alertRow
	err := tx.GetContext(ctx, &row, `SELECT `+alertCols+` FROM alerts
		WHERE hub_id = ? AND device_id = ? AND kind = ? AND state <> 'resolved'`, r.HubID, r.DeviceID, r.Kind)
	switch {
	case err == nil:
		flap := 0
		if r.Repeat {
			flap = 1
		}
		err = tx.GetContext(ctx, &row, `UPDATE alerts SET flaps = flaps + CAST(? AS INTEGER),
				last_seen_at = CASE WHEN CAST(? AS BIGINT) > last_seen_at THEN CAST(? AS BIGINT) ELSE last_seen_at END,
				detail = CASE WHEN CAST(? AS TEXT) <> '' THEN CAST(? AS TEXT) ELSE detail END,
				property_id = coalesce(CAST(? AS BIGINT), property_id)
			WHERE id = ? RETURNING `+alertCols, flap, at, at, r.Detail, r.Detail, nullInt64(r.PropertyID), row.ID)
		return row.alert(), false, err
	case !errors.Is(err, sql.ErrNoRows):
		return Alert{}, false, err
	}
	err = tx.GetContext(ctx, &row, `INSERT INTO alerts
			(kind, severity, state, property_id, hub_id, device_id, opened_at, last_seen_at, detail)
		VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?) RETURNING `+alertCols,
		r.Kind, AlertSeverity(r.Kind), nullInt64(r.PropertyID), r.HubID, r.DeviceID, at, at, r.Detail)
	return row.alert(), err == nil, err
}

// ClearAlert resolves the unresolved alert of that hub or device and kind automatically (ResolvedBy nil): its
// condition cleared. No such alert is ErrNotFound.
func (s *Store) ClearAlert(ctx context.Context, hubID, deviceID, kind string, at time.Time) (Alert, error) {
	var row alertRow
	err := s.w.GetContext(ctx, &row, `UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = NULL
		WHERE hub_id = ? AND device_id = ? AND kind = ? AND state <> 'resolved' RETURNING `+alertCols,
		ms(nowOr(at)), hubID, deviceID, kind)
	if err != nil {
		return Alert{}, fmt.Errorf("db: clear alert %s on %s/%s: %w", kind, hubID, deviceID, notFound(err))
	}
	return row.alert(), nil
}

// AcknowledgeAlert records that userID is on it, with an optional note. Only an open alert can be acknowledged:
// an acknowledged or resolved one is ErrConflict (the first person's note stays), an unknown id ErrNotFound.
func (s *Store) AcknowledgeAlert(ctx context.Context, id, userID int64, note string, at time.Time) (Alert, error) {
	var row alertRow
	err := s.w.GetContext(ctx, &row, `UPDATE alerts SET state = 'acknowledged', acknowledged_by = ?,
			acknowledged_at = ?, ack_note = ?
		WHERE id = ? AND state = 'open' RETURNING `+alertCols, userID, ms(nowOr(at)), note, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.alertConflict(ctx, id)
	}
	if err != nil {
		return Alert{}, fmt.Errorf("db: acknowledge alert %d: %w", id, err)
	}
	return row.alert(), nil
}

// ResolveAlert resolves an open or acknowledged alert by hand. A resolved one is ErrConflict, an unknown id
// ErrNotFound.
func (s *Store) ResolveAlert(ctx context.Context, id, userID int64, at time.Time) (Alert, error) {
	var row alertRow
	err := s.w.GetContext(ctx, &row, `UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ?
		WHERE id = ? AND state <> 'resolved' RETURNING `+alertCols, ms(nowOr(at)), userID, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.alertConflict(ctx, id)
	}
	if err != nil {
		return Alert{}, fmt.Errorf("db: resolve alert %d: %w", id, err)
	}
	return row.alert(), nil
}

// alertConflict says why an update by id touched nothing: the alert exists in another state, or not at all.
func (s *Store) alertConflict(ctx context.Context, id int64) error {
	if _, err := s.Alert(ctx, id); err != nil {
		return err
	}
	return ErrConflict
}

// Alert returns one alert, or ErrNotFound.
func (s *Store) Alert(ctx context.Context, id int64) (Alert, error) {
	var row alertRow
	if err := s.r.GetContext(ctx, &row, `SELECT `+alertCols+` FROM alerts WHERE id = ?`, id); err != nil {
		return Alert{}, fmt.Errorf("db: alert %d: %w", id, notFound(err))
	}
	return row.alert(), nil
}

// UnresolvedAlerts returns every open or acknowledged alert, oldest first; none is an empty slice.
func (s *Store) UnresolvedAlerts(ctx context.Context) ([]Alert, error) {
	rows := []alertRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+alertCols+` FROM alerts WHERE state <> 'resolved' ORDER BY id`); err != nil {
		return nil, fmt.Errorf("db: unresolved alerts: %w", err)
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = r.alert()
	}
	return out, nil
}

// CountUnresolvedAlerts counts the open and acknowledged alerts.
func (s *Store) CountUnresolvedAlerts(ctx context.Context) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, `SELECT count(*) FROM alerts WHERE state <> 'resolved'`); err != nil {
		return 0, fmt.Errorf("db: count alerts: %w", err)
	}
	return n, nil
}
