package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Counts summarises the whole mirrored portfolio for the home page.
type Counts struct {
	Properties  int
	Hubs        int
	HubsOffline int
	Devices     int
	LowBattery  int
	Alerts      int // HubsOffline + devices with an alert + LowBattery, as in PropertyRow
}

// PortfolioCounts counts properties, hubs and devices, and what needs attention, over the whole
// mirror (unassigned hubs and devices included).
func (s *Store) PortfolioCounts(ctx context.Context) (Counts, error) {
	var r struct {
		Properties   int `db:"properties"`
		Hubs         int `db:"hubs"`
		HubsOffline  int `db:"hubs_offline"`
		Devices      int `db:"devices"`
		LowBattery   int `db:"low_battery"`
		AlertDevices int `db:"alert_devices"`
	}
	err := s.r.GetContext(ctx, &r, `SELECT
			(SELECT count(*) FROM properties) AS properties,
			(SELECT count(*) FROM hubs) AS hubs,
			(SELECT count(*) FROM hubs WHERE online = 0) AS hubs_offline,
			(SELECT count(*) FROM devices) AS devices,
			(SELECT count(*) FROM devices WHERE `+lowBatteryCond+`) AS low_battery,
			(SELECT count(*) FROM devices WHERE alert <> '') AS alert_devices`)
	if err != nil {
		return Counts{}, fmt.Errorf("db: portfolio counts: %w", err)
	}
	return Counts{Properties: r.Properties, Hubs: r.Hubs, HubsOffline: r.HubsOffline, Devices: r.Devices,
		LowBattery: r.LowBattery, Alerts: r.HubsOffline + r.LowBattery + r.AlertDevices}, nil
}

// Kinds of DeviceAlert besides the device alert values (AlertLeak…).
const (
	AlertLowBattery = "low_battery" // a device below LowBatteryPercent, with no other alert
	AlertHubOffline = "hub_offline" // an offline hub (DeviceID is "")
)

// DeviceAlert is one thing that needs attention: a device with an alert or a low battery, or an
// offline hub.
type DeviceAlert struct {
	Kind         string // a device's Alert, AlertLowBattery or AlertHubOffline
	DeviceID     string // "" for AlertHubOffline
	HubID        string
	PropertyID   *int64
	PropertyName string // "" when unassigned
	Name         string // device name, or the hub's home name
	Type         string // device type, or "hub"
	Battery      *int
	At           time.Time // device: StateChangedAt; hub: last heartbeat, or SyncedAt if none
}

// defaultAlertLimit and maxAlertLimit bound AlertDevices.
const (
	defaultAlertLimit = 50
	maxAlertLimit     = 500
)

// alertDevicesSQL lists devices needing attention and offline hubs, newest first; it takes LIMIT.
var alertDevicesSQL = `SELECT kind, device_id, hub_id, property_id, property_name, name, type, battery, at FROM (
		SELECT CASE WHEN d.alert <> '' THEN d.alert ELSE 'low_battery' END AS kind, d.id AS device_id,
			d.hub_id, d.property_id, coalesce(p.name, '') AS property_name, d.name, d.type, d.battery,
			d.state_changed_at AS at
		FROM devices d LEFT JOIN properties p ON p.id = d.property_id
		WHERE ` + qualifyAttention("d") + `
		UNION ALL
		SELECT 'hub_offline', '', h.id, h.property_id, coalesce(p.name, ''), h.home_name, 'hub', h.battery,
			coalesce(h.last_heartbeat_at, h.synced_at)
		FROM hubs h LEFT JOIN properties p ON p.id = h.property_id
		WHERE h.online = 0
	) AS attention
	ORDER BY at DESC, hub_id, device_id
	LIMIT ?`

// AlertDevices returns what needs attention, newest first: devices with an alert or a low battery
// (one entry per device, its alert taking precedence) and offline hubs. limit ≤ 0 means 50; at most 500.
func (s *Store) AlertDevices(ctx context.Context, limit int) ([]DeviceAlert, error) {
	if limit <= 0 {
		limit = defaultAlertLimit
	}
	limit = min(limit, maxAlertLimit)
	rows := []struct {
		Kind         string        `db:"kind"`
		DeviceID     string        `db:"device_id"`
		HubID        string        `db:"hub_id"`
		PropertyID   sql.NullInt64 `db:"property_id"`
		PropertyName string        `db:"property_name"`
		Name         string        `db:"name"`
		Type         string        `db:"type"`
		Battery      sql.NullInt64 `db:"battery"`
		At           int64         `db:"at"`
	}{}
	err := s.r.SelectContext(ctx, &rows, alertDevicesSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("db: alert devices: %w", err)
	}
	alerts := make([]DeviceAlert, len(rows))
	for i, r := range rows {
		alerts[i] = DeviceAlert{Kind: r.Kind, DeviceID: r.DeviceID, HubID: r.HubID,
			PropertyID: fromNullInt64(r.PropertyID), PropertyName: r.PropertyName, Name: r.Name, Type: r.Type,
			Battery: fromNullInt(r.Battery), At: fromMS(r.At)}
	}
	return alerts, nil
}

// qualifyAttention is attentionCond over a table alias.
func qualifyAttention(alias string) string {
	return "(" + alias + ".alert <> '' OR " + alias + "." + lowBatteryCond + ")"
}
