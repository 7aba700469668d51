package smarthome

import (
	"context"
	"encoding/json"
	"net/http"
)

// DevicesService handles /devices.
type DevicesService service

// Device is a device with the common fields of reference §14.1. Status and Settings stay raw because their
// shape depends on DeviceType; the typed accessors (LockStatus, ThermostatStatus, …) decode them on demand, so
// an unknown device type never fails decoding.
type Device struct {
	ID                   string          `json:"id"`
	DeviceName           string          `json:"device_name"`
	OccupantSetting      string          `json:"occupant_setting"` // the resident-facing name
	DeviceType           string          `json:"device_type"`
	IoTThingName         string          `json:"iot_thing_name"`
	RemoteDeviceID       FlexString      `json:"remote_device_id"` // Z-Wave node id
	ZWaveSecurity        string          `json:"zwave_security"`
	ModelNumber          FlexString      `json:"model_number"`
	SharedArea           bool            `json:"shared_area"`
	Location             json.RawMessage `json:"location,omitempty"`
	PowerSource          string          `json:"power_source"` // "battery" or "main"
	TwoWayPowerSource    *bool           `json:"two_way_power_source"`
	TopicName            string          `json:"topic_name"`
	LastActivity         FlexInt         `json:"last_activity"`
	Manufacturer         string          `json:"manufacturer"`
	ProductName          string          `json:"product_name"`
	LogMinDate           string          `json:"log_mindate"` // ISO-8601 with offset: the earliest log date
	RoomHumidity         FlexString      `json:"room_humidity,omitempty"`
	ThirdPartyDeviceID   FlexString      `json:"third_party_device_id,omitempty"`
	ThirdPartyDeviceType string          `json:"third_party_device_type,omitempty"`
	AutoLockConfig       json.RawMessage `json:"auto_lock_config,omitempty"` // locks
	HubID                string          `json:"hub_id"`                     // [INF]
	PropertyID           *int64          `json:"property_id"`                // [INF] nil when unassigned
	Settings             json.RawMessage `json:"settings,omitempty"`
	Status               json.RawMessage `json:"status,omitempty"`
}

// Get returns a device with its current state.
//
// API: GET /api/devices/{device_id} [CLIENT C-openly, C-hb-lock, C-hb-thermo]
func (s *DevicesService) Get(ctx context.Context, id string) (*Device, *Response, error) {
	d := new(Device)
	resp, err := s.client.get(ctx, path(nil, "devices", id), d)
	return nilOnErr(d, err), resp, err
}

// DeviceUpdate changes a device's details or assigns it to a property; nil fields are not sent.
type DeviceUpdate struct {
	DeviceName      *string `json:"device_name,omitempty"`
	OccupantSetting *string `json:"occupant_setting,omitempty"`
	PropertyID      *int64  `json:"property_id,omitempty"`
}

// Update changes the details set in u. It shares its route with Command; the body tells them apart (no
// "commands" or "settings" key here).
//
// API: PUT /api/devices/{device_id} [exists DOC D-overview; body INF]
func (s *DevicesService) Update(ctx context.Context, id string, u DeviceUpdate) (*Device, *Response, error) {
	if u.DeviceName == nil && u.OccupantSetting == nil && u.PropertyID == nil {
		return nil, nil, validationError("device update sets no field")
	}
	if u.DeviceName != nil && *u.DeviceName == "" {
		return nil, nil, validationError("device_name must not be empty")
	}
	d := new(Device)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "devices", id), u, d)
	return nilOnErr(d, err), resp, err
}

// Command validates and sends a hardware command. It returns once the API accepts it; the device applies it
// later (watch Get or the webhooks), and a device behind an offline hub never applies it.
//
// API: PUT /api/devices/{device_id} [CLIENT C-openly, C-hb-lock, C-hb-thermo, C-ha-scripts]
func (s *DevicesService) Command(ctx context.Context, id string, cmd Command) (*Response, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	return s.client.send(ctx, http.MethodPut, path(nil, "devices", id), cmd, nil)
}
