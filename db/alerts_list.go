package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AlertView is an alert with the names a page shows beside it.
type AlertView struct {
	Alert
	PropertyName       string // "" when it has none (or the property was deleted)
	HubName            string // the hub's home name, else its serial number; "" when the hub is gone
	DeviceName         string // the device's name, else its occupant setting; "" for a hub's alert or a gone device
	DeviceType         string
	TimeZone           string // the property's zone, else the hub's
	AcknowledgedByName string
	ResolvedByName     string
}

// Filter values of AlertFilter.State besides the three states.
const AlertUnresolved = "unresolved" // open or acknowledged

// AlertFilter selects alerts. Empty strings, nil and zero times do not filter.
type AlertFilter struct {
	PropertyID   *int64
	HubID        string // with DeviceID "", every alert of the hub and of its devices
	DeviceID     string
	Kind         string
	State        string    // AlertOpen, AlertAcknowledged, AlertResolved or AlertUnresolved
	OpenedAfter  time.Time // OpenedAt >= OpenedAfter
	OpenedBefore time.Time // OpenedAt < OpenedBefore
	Before       int64     // keyset paging: only alerts with ID < Before (the previous page's NextBefore)
	Limit        int       // 0 means 50; at most 500
}

// AlertPage is one page of alerts, newest first. NextBefore is the Before of the next page; 0 on the last.
type AlertPage struct {
	Items      []AlertView
	NextBefore int64
}

const (
	defaultAlertPage = 50
	maxAlertPage     = 500
)

type alertViewRow struct {
	alertRow
	PropertyName string         `db:"property_name"`
	HubName      string         `db:"hub_name"`
	DeviceName   string         `db:"device_name"`
	DeviceType   string         `db:"device_type"`
	TimeZone     string         `db:"time_zone"`
	AckByName    sql.NullString `db:"ack_by_name"`
	ResByName    sql.NullString `db:"res_by_name"`
}

const alertViewSQL = `SELECT ` + `%s,
		coalesce(p.name, '') AS property_name,
		coalesce(CASE WHEN h.home_name <> '' THEN h.home_name ELSE h.serial_no END, '') AS hub_name,
		coalesce(CASE WHEN d.name <> '' THEN d.name ELSE d.occupant_setting END, '') AS device_name,
		coalesce(d.type, '') AS device_type,
		coalesce(CASE WHEN p.time_zone <> '' THEN p.time_zone ELSE h.time_zone END, '') AS time_zone,
		ua.name AS ack_by_name, ur.name AS res_by_name
	FROM alerts a
	LEFT JOIN properties p ON p.id = a.property_id
	LEFT JOIN hubs h ON h.id = a.hub_id
	LEFT JOIN devices d ON a.device_id <> '' AND d.id = a.device_id
	LEFT JOIN users ua ON ua.id = a.acknowledged_by
	LEFT JOIN users ur ON ur.id = a.resolved_by`

func (r alertViewRow) view() AlertView {
	return AlertView{Alert: r.alert(), PropertyName: r.PropertyName, HubName: r.HubName, DeviceName: r.DeviceName,
		DeviceType: r.DeviceType, TimeZone: r.TimeZone, AcknowledgedByName: r.AckByName.String,
		ResolvedByName: r.ResByName.String}
}

// ListAlerts returns one page of the alerts f selects, newest first.
func (s *Store) ListAlerts(ctx context.Context, f AlertFilter) (AlertPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAlertPage
	}
	limit = min(limit, maxAlertPage)
	var where []string
	var args []any
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.PropertyID != nil {
		add("a.property_id = ?", *f.PropertyID)
	}
	if f.HubID != "" {
		add("a.hub_id = ?", f.HubID)
	}
	if f.DeviceID != "" {
		add("a.device_id = ?", f.DeviceID)
	}
	if f.Kind != "" {
		add("a.kind = ?", f.Kind)
	}
	switch f.State {
	case "":
	case AlertUnresolved:
		where = append(where, "a.state <> 'resolved'")
	default:
		add("a.state = ?", f.State)
	}
	if !f.OpenedAfter.IsZero() {
		add("a.opened_at >= ?", ms(f.OpenedAfter))
	}
	if !f.OpenedBefore.IsZero() {
		add("a.opened_at < ?", ms(f.OpenedBefore))
	}
	if f.Before > 0 {
		add("a.id < ?", f.Before)
	}
	q := fmt.Sprintf(alertViewSQL, alertColsA)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.id DESC LIMIT ?"
	args = append(args, limit+1) // one more says whether there is a next page
	rows := []alertViewRow{}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return AlertPage{}, fmt.Errorf("db: list alerts: %w", err)
	}
	page := AlertPage{Items: make([]AlertView, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			page.NextBefore = rows[limit-1].ID
			break
		}
		page.Items = append(page.Items, r.view())
	}
	return page, nil
}

// AlertView returns one alert with its names, or ErrNotFound.
func (s *Store) AlertView(ctx context.Context, id int64) (AlertView, error) {
	var r alertViewRow
	if err := s.r.GetContext(ctx, &r, fmt.Sprintf(alertViewSQL, alertColsA)+` WHERE a.id = ?`, id); err != nil {
		return AlertView{}, fmt.Errorf("db: alert %d: %w", id, notFound(err))
	}
	return r.view(), nil
}
