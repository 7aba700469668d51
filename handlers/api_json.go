package handlers

import (
	"encoding/json"
	"time"

	"github.com/keyless/dashboard/db"
)

// The API's resources as JSON. Field names are the wire contract (docs/api.md, the OpenAPI document); times are
// RFC 3339 in UTC; absent values are null, not omitted.

type apiPropertyJSON struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Address       string    `json:"address"`
	StreetAddress string    `json:"street_address"`
	City          string    `json:"city"`
	State         string    `json:"state"`
	Zipcode       string    `json:"zipcode"`
	TimeZone      string    `json:"time_zone"`
	Latitude      string    `json:"latitude"`
	Longitude     string    `json:"longitude"`
	SyncedAt      time.Time `json:"synced_at"`
}

func newAPIProperty(p db.Property) apiPropertyJSON {
	return apiPropertyJSON{ID: p.ID, Name: p.Name, Address: p.Address, StreetAddress: p.StreetAddress, City: p.City,
		State: p.State, Zipcode: p.Zipcode, TimeZone: p.TimeZone, Latitude: p.Latitude, Longitude: p.Longitude,
		SyncedAt: p.SyncedAt.UTC()}
}

type apiHubJSON struct {
	ID              string     `json:"id"`
	PropertyID      *int64     `json:"property_id"`
	SerialNo        string     `json:"serial_no"`
	HomeName        string     `json:"home_name"`
	TimeZone        string     `json:"time_zone"`
	Address         string     `json:"address"`
	Status          string     `json:"status"`
	Online          bool       `json:"online"`
	LastHeartbeatAt *time.Time `json:"last_heartbeat_at"`
	PowerSource     string     `json:"power_source"`
	Battery         *int       `json:"battery"`
	Signal          string     `json:"signal"`
	Firmware        string     `json:"firmware"`
	Model           string     `json:"model"`
	NetworkType     string     `json:"network_type"`
	SyncedAt        time.Time  `json:"synced_at"`
}

func newAPIHub(h db.Hub) apiHubJSON {
	return apiHubJSON{ID: h.ID, PropertyID: h.PropertyID, SerialNo: h.SerialNo, HomeName: h.HomeName,
		TimeZone: h.TimeZone, Address: h.Address, Status: h.Status, Online: h.Online, LastHeartbeatAt: utcPtr(h.LastHeartbeatAt),
		PowerSource: h.PowerSource, Battery: h.Battery, Signal: h.Signal, Firmware: h.Firmware, Model: h.Model,
		NetworkType: h.NetworkType, SyncedAt: h.SyncedAt.UTC()}
}

type apiDeviceJSON struct {
	ID              string          `json:"id"`
	HubID           string          `json:"hub_id"`
	PropertyID      *int64          `json:"property_id"`
	Name            string          `json:"name"`
	OccupantSetting string          `json:"occupant_setting"`
	Type            string          `json:"type"`
	Online          bool            `json:"online"`
	Battery         *int            `json:"battery"`
	Alert           string          `json:"alert"`
	State           json.RawMessage `json:"state"` // the upstream's status object as it sent it; null when unreadable
	StateChangedAt  time.Time       `json:"state_changed_at"`
	SyncedAt        time.Time       `json:"synced_at"`
}

func newAPIDevice(d db.Device) apiDeviceJSON {
	return apiDeviceJSON{ID: d.ID, HubID: d.HubID, PropertyID: d.PropertyID, Name: d.Name,
		OccupantSetting: d.OccupantSetting, Type: d.Type, Online: d.Online, Battery: d.Battery, Alert: d.Alert,
		State: rawJSON(d.State), StateChangedAt: d.StateChangedAt.UTC(), SyncedAt: d.SyncedAt.UTC()}
}

// apiLockCodeJSON is a lock code's status. It has no PIN field: the store's read never selects it.
type apiLockCodeJSON struct {
	ID           string            `json:"id"`
	PropertyID   int64             `json:"property_id"`
	HubID        string            `json:"hub_id"`
	Name         string            `json:"name"`
	Person       string            `json:"person"`
	CodeType     string            `json:"code_type"`
	ValidityType string            `json:"validity_type"`
	StartsAt     *time.Time        `json:"starts_at"`
	EndsAt       *time.Time        `json:"ends_at"`
	Schedule     json.RawMessage   `json:"schedule"`
	SyncState    string            `json:"sync_state"`
	Locks        []apiCodeLockJSON `json:"locks"`
	IssuedBy     string            `json:"issued_by"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	DeletedAt    *time.Time        `json:"deleted_at"`
	SyncedAt     time.Time         `json:"synced_at"`
}

// apiCodeLockJSON is the code's state on one lock: its slot, and the upstream's reason when it failed.
type apiCodeLockJSON struct {
	DeviceID   string    `json:"device_id"`
	Status     string    `json:"status"`
	Slot       *int      `json:"slot"`
	Error      string    `json:"error"`
	ReportedAt time.Time `json:"reported_at"`
	CheckedAt  time.Time `json:"checked_at"`
}

func newAPILockCode(c db.CodeStatus) apiLockCodeJSON {
	out := apiLockCodeJSON{ID: c.ID, PropertyID: c.PropertyID, HubID: c.HubID, Name: c.Name, Person: c.Person,
		CodeType: c.CodeType, ValidityType: c.ValidityType, StartsAt: utcPtr(c.StartsAt), EndsAt: utcPtr(c.EndsAt),
		Schedule: rawJSON(c.Schedule), SyncState: codeSyncState(c.LockCode), IssuedBy: c.CreatedByName,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), DeletedAt: utcPtr(c.DeletedAt),
		SyncedAt: c.SyncedAt.UTC(), Locks: []apiCodeLockJSON{}}
	for _, d := range c.Devices {
		out.Locks = append(out.Locks, apiCodeLockJSON{DeviceID: d.DeviceID, Status: d.Status, Slot: d.Slot,
			Error: d.Error, ReportedAt: d.ReportedAt.UTC(), CheckedAt: d.CheckedAt.UTC()})
	}
	return out
}

// codeSyncState sums up a code's locks: failed if any lock failed, pending while any is setting or removing,
// set when every lock has it, removed when none has it any more, partial for a mix of set and removed, none when
// it targets no lock.
func codeSyncState(c db.LockCode) string {
	n := map[string]int{}
	for _, d := range c.Devices {
		n[d.Status]++
	}
	switch {
	case len(c.Devices) == 0:
		return "none"
	case n[db.LockCodeFailed] > 0:
		return "failed"
	case n[db.LockCodeSetting]+n[db.LockCodeRemoving] > 0:
		return "pending"
	case n[db.LockCodeSet] == len(c.Devices):
		return "set"
	case n[db.LockCodeRemoved] == len(c.Devices):
		return "removed"
	default:
		return "partial"
	}
}

// rawJSON passes stored upstream JSON through; anything unreadable is null rather than a broken document.
func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
