package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hub mirrors an upstream hub. ID is the upstream uuid; PropertyID is nil for an unassigned hub.
type Hub struct {
	ID              string
	PropertyID      *int64
	SerialNo        string
	HomeName        string
	TimeZone        string
	Address         string
	Status          string // upstream status text ("Online"/"Offline")
	Online          bool
	LastHeartbeatAt *time.Time
	PowerSource     string
	Battery         *int // percent; nil when the hub does not report one
	Signal          string
	Firmware        string
	Model           string
	NetworkType     string
	Raw             string // the upstream JSON, kept so nothing the upstream said is lost
	SyncedAt        time.Time
}

type hubRow struct {
	ID              string        `db:"id"`
	PropertyID      sql.NullInt64 `db:"property_id"`
	SerialNo        string        `db:"serial_no"`
	HomeName        string        `db:"home_name"`
	TimeZone        string        `db:"time_zone"`
	Address         string        `db:"address"`
	Status          string        `db:"status"`
	Online          bool          `db:"online"`
	LastHeartbeatAt sql.NullInt64 `db:"last_heartbeat_at"`
	PowerSource     string        `db:"power_source"`
	Battery         sql.NullInt64 `db:"battery"`
	Signal          string        `db:"signal"`
	Firmware        string        `db:"firmware"`
	Model           string        `db:"model"`
	NetworkType     string        `db:"network_type"`
	Raw             string        `db:"raw"`
	SyncedAt        int64         `db:"synced_at"`
}

const hubCols = `id, property_id, serial_no, home_name, time_zone, address, status, online, last_heartbeat_at,
	power_source, battery, signal, firmware, model, network_type, raw, synced_at`

var hubColsH = qualify("h", hubCols)

func (r hubRow) hub() Hub {
	return Hub{
		ID: r.ID, PropertyID: fromNullInt64(r.PropertyID), SerialNo: r.SerialNo, HomeName: r.HomeName,
		TimeZone: r.TimeZone, Address: r.Address, Status: r.Status, Online: r.Online,
		LastHeartbeatAt: fromNullMS(r.LastHeartbeatAt), PowerSource: r.PowerSource, Battery: fromNullInt(r.Battery),
		Signal: r.Signal, Firmware: r.Firmware, Model: r.Model, NetworkType: r.NetworkType, Raw: r.Raw,
		SyncedAt: fromMS(r.SyncedAt),
	}
}

const upsertHubSQL = `INSERT INTO hubs (` + hubCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		property_id = excluded.property_id, serial_no = excluded.serial_no, home_name = excluded.home_name,
		time_zone = excluded.time_zone, address = excluded.address, status = excluded.status,
		online = excluded.online, last_heartbeat_at = excluded.last_heartbeat_at,
		power_source = excluded.power_source, battery = excluded.battery, signal = excluded.signal,
		firmware = excluded.firmware, model = excluded.model, network_type = excluded.network_type,
		raw = excluded.raw, synced_at = excluded.synced_at`

func (h Hub) upsertArgs() []any {
	return []any{h.ID, nullInt64(h.PropertyID), h.SerialNo, h.HomeName, h.TimeZone, h.Address, h.Status,
		h.Online, nullMS(h.LastHeartbeatAt), h.PowerSource, nullInt(h.Battery), h.Signal, h.Firmware, h.Model,
		h.NetworkType, h.Raw, ms(h.SyncedAt)}
}

// UpsertHub inserts or replaces one mirrored hub after an upstream change. Zero SyncedAt means
// now. A PropertyID not in the mirror is ErrNotFound.
func (s *Store) UpsertHub(ctx context.Context, h Hub) error {
	if h.ID == "" {
		return errors.New("db: upsert hub: id is required")
	}
	h.SyncedAt = nowOr(h.SyncedAt)
	_, err := s.w.ExecContext(ctx, upsertHubSQL, h.upsertArgs()...)
	if isForeignKey(err) {
		return fmt.Errorf("db: upsert hub %s: property %d: %w", h.ID, deref(h.PropertyID), ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: upsert hub %s: %w", h.ID, err)
	}
	return nil
}

// UpdateHubLive applies a webhook-reported change to a hub; nil arguments leave a field as it is.
// Changing online also sets the status text to "Online" or "Offline" so the two never disagree.
// at is when the upstream reported the change; SyncedAt becomes the later of it and its old value.
// An unknown hub is ErrNotFound.
func (s *Store) UpdateHubLive(ctx context.Context, hubID string, online *bool, heartbeat *time.Time,
	powerSource *string, battery *int, at time.Time) error {
	res, err := s.w.NamedExecContext(ctx, `UPDATE hubs SET
			online = coalesce(CAST(:online AS INTEGER), online),
			status = CASE WHEN CAST(:online AS INTEGER) IS NULL THEN status WHEN CAST(:online AS INTEGER) = 1 THEN 'Online' ELSE 'Offline' END,
			last_heartbeat_at = coalesce(CAST(:heartbeat AS BIGINT), last_heartbeat_at),
			power_source = coalesce(CAST(:power_source AS TEXT), power_source),
			battery = coalesce(CAST(:battery AS INTEGER), battery),
			synced_at = CASE WHEN CAST(:at AS BIGINT) > synced_at THEN CAST(:at AS BIGINT) ELSE synced_at END
		WHERE id = :id`,
		map[string]any{"online": online, "heartbeat": nullMS(heartbeat), "power_source": powerSource,
			"battery": nullInt(battery), "at": ms(at), "id": hubID})
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: update hub %s: %w", hubID, err)
	}
	return nil
}

// Hub returns one mirrored hub, or ErrNotFound.
func (s *Store) Hub(ctx context.Context, id string) (Hub, error) {
	var r hubRow
	if err := s.r.GetContext(ctx, &r, `SELECT `+hubColsH+` FROM hubs h WHERE h.id = ?`, id); err != nil {
		return Hub{}, fmt.Errorf("db: hub %s: %w", id, notFound(err))
	}
	return r.hub(), nil
}

// HubsByProperty returns the hubs of a property ordered by home name; none is an empty slice.
func (s *Store) HubsByProperty(ctx context.Context, propertyID int64) ([]Hub, error) {
	rows := []hubRow{}
	err := s.r.SelectContext(ctx, &rows, `SELECT `+hubColsH+` FROM hubs h WHERE h.property_id = ?`, propertyID)
	if err != nil {
		return nil, fmt.Errorf("db: hubs of property %d: %w", propertyID, err)
	}
	hubs := make([]Hub, len(rows))
	for i, r := range rows {
		hubs[i] = r.hub()
	}
	// Sorted here, not by SQLite: see selectDevices.
	slices.SortFunc(hubs, func(a, b Hub) int { return cmp.Or(compareFold(a.HomeName, b.HomeName), strings.Compare(a.ID, b.ID)) })
	return hubs, nil
}
