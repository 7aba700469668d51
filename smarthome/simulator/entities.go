package simulator

import (
	"encoding/json"
	"time"
)

// The types in this file are the simulator's internal model. They are persisted as JSON (StatePath, /_sim/state), so
// every field is exported and typed; the wire shapes the API answers with are built from them in the route files.

// property is a rental home; hubs point at it with PropertyID.
type property struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	StreetAddress string    `json:"street_address"`
	City          string    `json:"city"`
	State         string    `json:"state"`
	Zipcode       string    `json:"zipcode"`
	TimeZone      string    `json:"time_zone"`
	Latitude      string    `json:"latitude"`
	Longitude     string    `json:"longitude"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// hub is a smart-home hub: a Z-Wave controller with a cellular link.
type hub struct {
	ID                string            `json:"id"`
	Serial            int64             `json:"serial"`
	HomeName          string            `json:"home_name"`
	StreetAddress     string            `json:"street_address"`
	City              string            `json:"city"`
	State             string            `json:"state"`
	Zipcode           string            `json:"zipcode"`
	TimeZone          string            `json:"time_zone"`
	Latitude          string            `json:"latitude"`
	Longitude         string            `json:"longitude"`
	PropertyID        int64             `json:"property_id,omitempty"` // 0: unassigned
	Company           string            `json:"company"`
	CompanyChangeDate string            `json:"company_change_date,omitempty"` // YYYY-MM-DD
	MasterCode        string            `json:"master_code"`
	Online            bool              `json:"online"`
	PowerSource       string            `json:"power_source"` // external | battery
	Battery           int               `json:"battery"`
	FwVer             string            `json:"fw_ver"`
	Model             string            `json:"model"`
	IMEI              string            `json:"imei"`
	IMSI              string            `json:"imsi"`
	SignalStrength    int               `json:"signal_strength"`
	HeartBeat         time.Time         `json:"heart_beat"`
	LastRefresh       time.Time         `json:"last_refresh"`
	AssignedDate      string            `json:"assigned_date"` // YYYY-MM-DD
	NextNode          int               `json:"next_node"`
	RemovedNodes      map[string]string `json:"removed_nodes,omitempty"`
	Activities        []hubActivity     `json:"activities,omitempty"`
	MQTT              *mqttResponse     `json:"mqtt,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
}

// hubActivity is one add_device/remove_device entry of a hub's activity log.
type hubActivity struct {
	Event      string    `json:"event"`
	NodeID     string    `json:"node_id"`
	DeviceID   string    `json:"device_id"`
	DeviceType string    `json:"device_type"`
	DeviceName string    `json:"device_name"`
	At         time.Time `json:"at"`
}

// mqttResponse is the last reply a hub published to a hub command.
type mqttResponse struct {
	CommandID  string    `json:"command_id"`
	Command    string    `json:"command"`
	ReceivedAt time.Time `json:"received_at"`
	Status     string    `json:"status"`
	Message    string    `json:"message"`
}

// device is one Z-Wave device behind a hub. One struct covers every type; status() picks the keys a type reports.
type device struct {
	ID              string `json:"id"`
	HubID           string `json:"hub_id"`
	PropertyID      int64  `json:"property_id,omitempty"` // 0: unassigned
	Type            string `json:"type"`
	Name            string `json:"name"`
	OccupantSetting string `json:"occupant_setting"`
	NodeID          int    `json:"node_id"`
	Manufacturer    string `json:"manufacturer"`
	ProductName     string `json:"product_name"`
	ModelNumber     string `json:"model_number"`
	PowerSource     string `json:"power_source"` // battery | main
	Battery         int    `json:"battery"`
	ZwaveSignal     int    `json:"zwave_signal"`
	Offline         bool   `json:"offline,omitempty"`
	SharedArea      bool   `json:"shared_area,omitempty"`

	Mode          string             `json:"mode,omitempty"` // lock: locked|unlocked|jammed; switch: on|off; thermostat mode; ...
	Power         int                `json:"power,omitempty"`
	Fan           string             `json:"fan,omitempty"`
	RoomTemp      int                `json:"room_temp,omitempty"`
	RoomHumidity  int                `json:"room_humidity,omitempty"`
	HeatSetpoint  int                `json:"heat_setpoint,omitempty"`
	CoolSetpoint  int                `json:"cool_setpoint,omitempty"`
	FanOnMinutes  int                `json:"fan_on_minutes,omitempty"`
	Source        string             `json:"source,omitempty"`
	HoldUntil     time.Time          `json:"hold_until,omitzero"`
	ScheduleID    string             `json:"schedule_id,omitempty"`
	ScheduleSetAt time.Time          `json:"schedule_set_at,omitzero"`
	Leak          bool               `json:"leak,omitempty"`
	Motion        bool               `json:"motion,omitempty"`
	Smoke         bool               `json:"smoke,omitempty"`
	Tamper        bool               `json:"tamper,omitempty"`
	ContactOpen   bool               `json:"contact_open,omitempty"`
	LastPressed   time.Time          `json:"last_pressed,omitzero"`
	AutoLock      bool               `json:"auto_lock,omitempty"`
	AutoLockTimer int                `json:"auto_lock_timer,omitempty"`
	MaxSlots      int                `json:"max_slots,omitempty"`
	Codes         map[string]*string `json:"codes,omitempty"`          // slot -> PIN; nil = slot cleared
	SettingErrors map[string]string  `json:"setting_errors,omitempty"` // lock code id -> error
	LastActivity  time.Time          `json:"last_activity,omitzero"`
	LogMinDate    time.Time          `json:"log_min_date"`
	Events        []deviceActivity   `json:"events,omitempty"`
	CreatedAt     time.Time          `json:"created_at"`
}

// deviceActivity is one catalogue event in a device's activity log.
type deviceActivity struct {
	MessageType string          `json:"message_type"`
	Details     json.RawMessage `json:"details,omitempty"`
	User        string          `json:"user,omitempty"`
	At          time.Time       `json:"at"`
}

// lockCode is a PIN issued through the API (or by a reservation, an invitation or an MLS unlock).
type lockCode struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Code         string           `json:"code"`
	ValidityType string           `json:"validity_type"`
	FromDate     string           `json:"from_date,omitempty"` // YYYY-MM-DD HH-MM, hub local
	ToDate       string           `json:"to_date,omitempty"`
	Schedule     []scheduleDetail `json:"schedule_details_info,omitempty"`
	CodeType     string           `json:"code_type"`
	PropertyID   int64            `json:"property_id,omitempty"`
	HubID        string           `json:"hub_id,omitempty"`
	Source       string           `json:"source"` // api | reservation | invitation | mls
	Devices      []codeDevice     `json:"devices"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// scheduleDetail is one entry of a lock code's schedule_details_info.
type scheduleDetail struct {
	D  *int     `json:"d,omitempty"`
	WD []string `json:"wd,omitempty"`
	F  string   `json:"f"`
	T  string   `json:"t"`
}

// codeDevice is the per-lock sync state of a lock code.
type codeDevice struct {
	DeviceID  string    `json:"device_id"`
	Status    string    `json:"status"` // setting | set | failed | removing | removed
	Slot      int       `json:"slot,omitempty"`
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Per-device lock code states and failure reasons (CONTRACT.md, Lock codes).
const (
	codeSetting  = "setting"
	codeSet      = "set"
	codeFailed   = "failed"
	codeRemoving = "removing"
	codeRemoved  = "removed"

	errHubOffline    = "hub offline"
	errSlotsFull     = "slots full"
	errDuplicateCode = "duplicate code"
)

// lockbox is a stand-alone lock product (lockbox, Rently Blue lock, Smart Bolt) reachable only through mls_unlock.
type lockbox struct {
	Serial     string       `json:"serial"`
	Kind       string       `json:"kind"` // lockbox | blue | smart_bolt
	PropertyID int64        `json:"property_id"`
	TimeZone   string       `json:"time_zone"`
	Codes      []oneOffCode `json:"codes,omitempty"`
}

// oneOffCode is a code issued by an mls_unlock call to a lockbox.
type oneOffCode struct {
	Code  string    `json:"code"`
	Name  string    `json:"name"`
	Phone string    `json:"phone,omitempty"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
}

// reservation is a guest stay; it owns one Specific Period lock code.
type reservation struct {
	ID           int64     `json:"id"`
	PropertyID   int64     `json:"property_id"`
	GuestName    string    `json:"guest_name"`
	GuestEmail   string    `json:"guest_email"`
	GuestPhone   string    `json:"guest_phone"`
	CheckIn      time.Time `json:"check_in"`
	CheckOut     time.Time `json:"check_out"`
	Code         string    `json:"code"`
	BufferBefore int       `json:"buffer_before_minutes"`
	BufferAfter  int       `json:"buffer_after_minutes"`
	LockCodeID   string    `json:"lock_code_id,omitempty"`
	Status       string    `json:"status"` // confirmed | cancelled
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// invitation is a resident invitation; it owns the resident's lock code.
type invitation struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	PropertyID int64     `json:"property_id"`
	FromTime   string    `json:"from_time"`         // MM/DD/YYYY
	ToTime     string    `json:"to_time,omitempty"` // MM/DD/YYYY; "" = open-ended
	Status     string    `json:"status"`            // active | removed
	LockCodeID string    `json:"lock_code_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// schedule is a weekly program for thermostats or switches; devices run it once activated.
type schedule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	DeviceType string          `json:"device_type"`
	PropertyID int64           `json:"property_id,omitempty"`
	Blocks     []scheduleBlock `json:"blocks"`
	DeviceIDs  []string        `json:"device_ids"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// scheduleBlock is one time window of a schedule and the values applied at its start.
type scheduleBlock struct {
	Days            []int   `json:"days"`
	From            string  `json:"from"`
	To              string  `json:"to"`
	Mode            *string `json:"mode"`
	HeatingSetpoint *int    `json:"heating_setpoint"`
	CoolingSetpoint *int    `json:"cooling_setpoint"`
	Power           *int    `json:"power"`
}
