package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// deviceJSON is the Device object (reference §14.1 plus the inferred hub_id and property_id).
type deviceJSON struct {
	ID                   string          `json:"id"`
	DeviceName           string          `json:"device_name"`
	OccupantSetting      string          `json:"occupant_setting"`
	DeviceType           string          `json:"device_type"`
	IotThingName         string          `json:"iot_thing_name"`
	RemoteDeviceID       string          `json:"remote_device_id"`
	ZwaveSecurity        string          `json:"zwave_security"`
	ModelNumber          string          `json:"model_number"`
	SharedArea           bool            `json:"shared_area"`
	Location             *string         `json:"location"`
	PowerSource          string          `json:"power_source"`
	TwoWayPowerSource    *bool           `json:"two_way_power_source"`
	TopicName            string          `json:"topic_name"`
	LastActivity         int64           `json:"last_activity"` // epoch ms of the last event
	Manufacturer         string          `json:"manufacturer"`
	ProductName          string          `json:"product_name"`
	Settings             map[string]any  `json:"settings"`
	Status               map[string]any  `json:"status"`
	LogMindate           string          `json:"log_mindate"`
	HubID                string          `json:"hub_id"`
	PropertyID           *int64          `json:"property_id"`
	AutoLockConfig       *autoLockConfig `json:"auto_lock_config,omitempty"`
	RoomHumidity         *int            `json:"room_humidity,omitempty"`
	ThirdPartyDeviceID   *string         `json:"third_party_device_id,omitempty"`
	ThirdPartyDeviceType *string         `json:"third_party_device_type,omitempty"`
}

// autoLockConfig is the lock's auto_lock_config [FIXTURE C-openly].
type autoLockConfig struct {
	IsAutoLockSupported bool             `json:"is_auto_lock_supported"`
	AutoLockEnabled     bool             `json:"auto_lock_enabled"`
	AutoLockTimer       string           `json:"auto_lock_timer"`
	SupportedTimers     []int            `json:"supported_timers"`
	Reported            autoLockReported `json:"reported"`
}

type autoLockReported struct {
	AutoLockEnabled bool   `json:"auto_lock_enabled"`
	AutoLockTimer   string `json:"auto_lock_timer"`
}

// isCodeDevice reports whether a device type holds PIN slots.
func isCodeDevice(t string) bool { return t == "lock" || t == "access_panel" }

func optInt64(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return isoTime(t)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// deviceView renders d. Callers hold s.mu.
func (s *Simulator) deviceView(d *device) deviceJSON {
	h := s.st.Hubs[d.HubID]
	loc := time.UTC
	if h != nil {
		loc = s.zones.get(h.TimeZone)
	}
	v := deviceJSON{
		ID: d.ID, DeviceName: d.Name, OccupantSetting: d.OccupantSetting, DeviceType: d.Type, IotThingName: d.ID,
		RemoteDeviceID: strconv.Itoa(d.NodeID), ZwaveSecurity: "non_secure", ModelNumber: d.ModelNumber,
		SharedArea: d.SharedArea, PowerSource: d.PowerSource, TopicName: "$aws/things/" + d.ID + "/shadow/update/accepted",
		Manufacturer: d.Manufacturer, ProductName: d.ProductName, Settings: map[string]any{}, Status: s.deviceStatus(d),
		LogMindate: d.LogMinDate.In(loc).Format(time.RFC3339), HubID: d.HubID, PropertyID: optInt64(d.PropertyID),
	}
	if !d.LastActivity.IsZero() {
		v.LastActivity = d.LastActivity.UnixMilli()
	}
	switch d.Type {
	case "lock":
		timer := strconv.Itoa(d.AutoLockTimer)
		v.AutoLockConfig = &autoLockConfig{true, d.AutoLock, timer, []int{30, 60, 120, 180}, autoLockReported{d.AutoLock, timer}}
	case "thermostat":
		hum, empty := d.RoomHumidity, ""
		v.RoomHumidity, v.ThirdPartyDeviceID, v.ThirdPartyDeviceType = &hum, &empty, &empty
		schedule := any(nil)
		if d.ScheduleID != "" {
			schedule = d.ScheduleID + "|" + d.ScheduleSetAt.UTC().Format(time.RFC3339)
		}
		v.Settings = map[string]any{"hold_duration": 540, "schedule": schedule, "fan_on_time": d.FanOnMinutes}
	case "dimmable_switch", "lightbulb":
		v.Settings = map[string]any{"hold_duration": 240}
	}
	return v
}

// deviceStatus builds the per-type status object of reference §14.2.
func (s *Simulator) deviceStatus(d *device) map[string]any {
	st := map[string]any{"zwave_signal": d.ZwaveSignal}
	if slices.Contains(batteryDeviceTypes, d.Type) {
		st["battery"] = d.Battery
	}
	switch d.Type {
	case "lock", "access_panel":
		codes := make(map[string]*string, len(d.Codes))
		for k, v := range d.Codes {
			codes[k] = v
		}
		errs := make(map[string]any, len(d.SettingErrors))
		for k, v := range d.SettingErrors {
			errs[k] = v
		}
		st["mode"] = map[string]string{"type": d.Mode}
		st["codes"], st["max_slots"], st["power_source"] = codes, d.MaxSlots, d.PowerSource
		st["setting_errors"] = map[string]any{"lock_codes": errs}
		if d.Type == "lock" {
			st["battery_zwave"] = d.Battery
		}
	case "thermostat":
		st["mode"], st["fan"], st["room_temp"] = d.Mode, d.Fan, d.RoomTemp
		st["heating_setpoint"], st["cooling_setpoint"] = d.HeatSetpoint, d.CoolSetpoint
		st["operating_state"], st["source"], st["battery_zwave"] = operatingState(d), d.Source, d.Battery
		st["agent_id"], st["occupant_id"], st["power_source"] = 1, 0, d.PowerSource
		st["schedule_id"], st["hold_until"] = optString(d.ScheduleID), optTime(d.HoldUntil)
	case "switch", "dimmable_switch", "lightbulb", "siren":
		st["mode"], st["power_source"] = d.Mode, d.PowerSource
		if d.Type != "siren" {
			st["source"], st["hold_until"] = d.Source, optTime(d.HoldUntil)
		}
		if d.Type == "dimmable_switch" || d.Type == "lightbulb" {
			st["power"] = d.Power
		}
	case "garage_door", "valve_controller":
		st["mode"], st["power_source"] = d.Mode, d.PowerSource
	case "leakage_sensor":
		st["leakage"] = yesNo(d.Leak)
	case "contact_sensor":
		st["contact"], st["tamper"] = map[bool]string{true: "open", false: "closed"}[d.ContactOpen], d.Tamper
	case "motion_sensor":
		st["motion"], st["tamper"] = yesNo(d.Motion), d.Tamper
	case "smoke_alarm":
		st["smoke"] = yesNo(d.Smoke)
	case "door_bell":
		st["last_pressed"] = optTime(d.LastPressed)
	case "repeater":
		st["power_source"] = d.PowerSource
	}
	return st
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// operatingState derives what the HVAC is doing from mode, room temperature and setpoints.
func operatingState(d *device) string {
	switch {
	case (d.Mode == "heat" || d.Mode == "auto") && d.RoomTemp < d.HeatSetpoint:
		return "Heating"
	case (d.Mode == "cool" || d.Mode == "auto") && d.RoomTemp > d.CoolSetpoint:
		return "Cooling"
	}
	return "Off"
}

// canSeeDevice applies ownership: agents see their company's hubs, residents and property tokens their property.
func (s *Simulator) canSeeDevice(p principal, d *device) error {
	if p.isAgent() {
		if h := s.st.Hubs[d.HubID]; h != nil && h.Company != p.company() {
			return forbidden("You do not have access to this device")
		}
		return nil
	}
	if d.PropertyID == 0 || d.PropertyID != p.propertyID {
		return forbidden("You do not have access to this device")
	}
	return nil
}

// lookupDevice finds a visible device by the {id} path value. Callers hold s.mu.
func (s *Simulator) lookupDevice(r *http.Request, p principal) (*device, error) {
	d := s.st.Devices[r.PathValue("id")]
	if d == nil {
		return nil, notFound("Device not found")
	}
	return d, s.canSeeDevice(p, d)
}

// handleDeviceGet: GET /api/devices/{id} [CLIENT C-openly, C-hb-lock].
func (s *Simulator) handleDeviceGet(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.deviceView(d))
	return nil
}

// devicesByType groups devices into the object keyed by device_type that the devices routes answer.
func (s *Simulator) devicesByType(devs []*device, plural bool) map[string][]deviceJSON {
	out := map[string][]deviceJSON{}
	for _, d := range devs {
		key := d.Type
		if plural {
			key += "s" // CONTRACT.md: assetsDeviceDetails keys are device_type + "s"
		}
		out[key] = append(out[key], s.deviceView(d))
	}
	return out
}
