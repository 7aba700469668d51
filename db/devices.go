package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Device alert values, computed by the caller from the device's state. "" means no alert.
const (
	AlertLeak   = "leak"
	AlertSmoke  = "smoke"
	AlertTamper = "tamper"
	AlertJammed = "jammed"
)

// LowBatteryPercent is the battery level below which a device counts as low. The partial index
// devices_attention in migrations/0001_init.sql repeats it; change both together.
const LowBatteryPercent = 20

// validAlert reports whether a is "" or one of the Alert constants.
func validAlert(a string) bool {
	switch a {
	case "", AlertLeak, AlertSmoke, AlertTamper, AlertJammed:
		return true
	}
	return false
}

// Device mirrors an upstream device. PropertyID is nil for an unassigned device.
type Device struct {
	ID              string
	HubID           string
	PropertyID      *int64
	Name            string
	OccupantSetting string
	Type            string
	Battery         *int // percent; nil for mains-powered devices
	Online          bool
	Alert           string    // "" or one of AlertLeak, AlertSmoke, AlertTamper, AlertJammed
	State           string    // raw upstream status JSON
	Settings        string    // raw upstream settings JSON
	StateChangedAt  time.Time // when state, online, alert or battery last changed
	SyncedAt        time.Time
}

type deviceRow struct {
	ID              string        `db:"id"`
	HubID           string        `db:"hub_id"`
	PropertyID      sql.NullInt64 `db:"property_id"`
	Name            string        `db:"name"`
	OccupantSetting string        `db:"occupant_setting"`
	Type            string        `db:"type"`
	Battery         sql.NullInt64 `db:"battery"`
	Online          bool          `db:"online"`
	Alert           string        `db:"alert"`
	State           string        `db:"state"`
	Settings        string        `db:"settings"`
	StateChangedAt  int64         `db:"state_changed_at"`
	SyncedAt        int64         `db:"synced_at"`
}

const deviceCols = `id, hub_id, property_id, name, occupant_setting, type, battery, online, alert, state, settings,
	state_changed_at, synced_at`

var deviceColsD = qualify("d", deviceCols)

func (r deviceRow) device() Device {
	return Device{
		ID: r.ID, HubID: r.HubID, PropertyID: fromNullInt64(r.PropertyID), Name: r.Name,
		OccupantSetting: r.OccupantSetting, Type: r.Type, Battery: fromNullInt(r.Battery), Online: r.Online,
		Alert: r.Alert, State: r.State, Settings: r.Settings, StateChangedAt: fromMS(r.StateChangedAt),
		SyncedAt: fromMS(r.SyncedAt),
	}
}

// upsertDeviceSQL keeps state_changed_at when a re-read finds the same state, so a full sync does
// not make every device look freshly changed.
const upsertDeviceSQL = `INSERT INTO devices (` + deviceCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		state_changed_at = CASE
			WHEN devices.state <> excluded.state OR devices.online <> excluded.online
				OR devices.alert <> excluded.alert OR devices.battery IS DISTINCT FROM excluded.battery
			THEN excluded.state_changed_at ELSE devices.state_changed_at END,
		hub_id = excluded.hub_id, property_id = excluded.property_id, name = excluded.name,
		occupant_setting = excluded.occupant_setting, type = excluded.type, battery = excluded.battery,
		online = excluded.online, alert = excluded.alert, state = excluded.state, settings = excluded.settings,
		synced_at = excluded.synced_at`

func (d Device) upsertArgs() []any {
	return []any{d.ID, d.HubID, nullInt64(d.PropertyID), d.Name, d.OccupantSetting, d.Type, nullInt(d.Battery),
		d.Online, d.Alert, d.State, d.Settings, ms(d.StateChangedAt), ms(d.SyncedAt)}
}

// withDefaults fills the times a caller may leave zero: SyncedAt defaults to at, StateChangedAt to SyncedAt.
func (d Device) withDefaults(at time.Time) Device {
	if d.SyncedAt.IsZero() {
		d.SyncedAt = at
	}
	if d.StateChangedAt.IsZero() {
		d.StateChangedAt = d.SyncedAt
	}
	return d
}

// UpsertDevice inserts or replaces one mirrored device after an upstream change. Zero SyncedAt
// means now; zero StateChangedAt means SyncedAt. A HubID or PropertyID not in the mirror is
// ErrNotFound.
func (s *Store) UpsertDevice(ctx context.Context, d Device) error {
	if d.ID == "" || d.HubID == "" {
		return fmt.Errorf("db: upsert device %q of hub %q: both ids are required", d.ID, d.HubID)
	}
	if !validAlert(d.Alert) {
		return fmt.Errorf("db: upsert device %s: unknown alert %q", d.ID, d.Alert)
	}
	d = d.withDefaults(time.Now())
	_, err := s.w.ExecContext(ctx, upsertDeviceSQL, d.upsertArgs()...)
	if isForeignKey(err) {
		return fmt.Errorf("db: upsert device %s: hub %s or property %d: %w", d.ID, d.HubID, deref(d.PropertyID), ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: upsert device %s: %w", d.ID, err)
	}
	return nil
}

// UpdateDeviceLive applies a webhook-reported change to a device: a non-empty state replaces the
// stored status JSON, nil pointers leave a field as it is. at is when the upstream reported the
// change: it becomes StateChangedAt when anything actually changed, and SyncedAt becomes the later
// of it and its old value. An unknown device is ErrNotFound.
func (s *Store) UpdateDeviceLive(ctx context.Context, deviceID string, state string, battery *int,
	online *bool, alert *string, at time.Time) error {
	if alert != nil && !validAlert(*alert) {
		return fmt.Errorf("db: update device %s: unknown alert %q", deviceID, *alert)
	}
	res, err := s.w.NamedExecContext(ctx, `UPDATE devices SET
			state_changed_at = CASE
				WHEN (CAST(:state AS TEXT) <> '' AND CAST(:state AS TEXT) <> state)
					OR (CAST(:battery AS INTEGER) IS NOT NULL AND battery IS DISTINCT FROM CAST(:battery AS INTEGER))
					OR (CAST(:online AS INTEGER) IS NOT NULL AND CAST(:online AS INTEGER) <> online)
					OR (CAST(:alert AS TEXT) IS NOT NULL AND CAST(:alert AS TEXT) <> alert)
				THEN CAST(:at AS BIGINT) ELSE state_changed_at END,
			state = CASE WHEN CAST(:state AS TEXT) <> '' THEN CAST(:state AS TEXT) ELSE state END,
			battery = coalesce(CAST(:battery AS INTEGER), battery),
			online = coalesce(CAST(:online AS INTEGER), online),
			alert = coalesce(CAST(:alert AS TEXT), alert),
			synced_at = CASE WHEN CAST(:at AS BIGINT) > synced_at THEN CAST(:at AS BIGINT) ELSE synced_at END
		WHERE id = :id`,
		map[string]any{"state": state, "battery": nullInt(battery), "online": online, "alert": alert,
			"at": ms(at), "id": deviceID})
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: update device %s: %w", deviceID, err)
	}
	return nil
}

// Device returns one mirrored device, or ErrNotFound.
func (s *Store) Device(ctx context.Context, id string) (Device, error) {
	var r deviceRow
	if err := s.r.GetContext(ctx, &r, `SELECT `+deviceColsD+` FROM devices d WHERE d.id = ?`, id); err != nil {
		return Device{}, fmt.Errorf("db: device %s: %w", id, notFound(err))
	}
	return r.device(), nil
}

// DevicesByProperty returns the devices of a property ordered by type and name; none is an empty slice.
func (s *Store) DevicesByProperty(ctx context.Context, propertyID int64) ([]Device, error) {
	devices, err := s.selectDevices(ctx, `d.property_id = ?`, propertyID)
	if err != nil {
		return nil, fmt.Errorf("db: devices of property %d: %w", propertyID, err)
	}
	return devices, nil
}

// DevicesByHub returns the devices of a hub ordered by type and name; none is an empty slice.
func (s *Store) DevicesByHub(ctx context.Context, hubID string) ([]Device, error) {
	devices, err := s.selectDevices(ctx, `d.hub_id = ?`, hubID)
	if err != nil {
		return nil, fmt.Errorf("db: devices of hub %s: %w", hubID, err)
	}
	return devices, nil
}

// selectDevices runs a device query; where is a constant condition, never user text. The few devices of one
// property or hub are sorted here: an ORDER BY SQLite cannot take from an index opens a sorter, which costs more
// (about 20 µs) than the whole lookup.
func (s *Store) selectDevices(ctx context.Context, where string, arg any) ([]Device, error) {
	rows := []deviceRow{}
	err := s.r.SelectContext(ctx, &rows, `SELECT `+deviceColsD+` FROM devices d WHERE `+where, arg)
	if err != nil {
		return nil, err
	}
	devices := make([]Device, len(rows))
	for i, r := range rows {
		devices[i] = r.device()
	}
	slices.SortFunc(devices, func(a, b Device) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), compareFold(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return devices, nil
}
