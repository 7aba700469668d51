package simulator

import (
	"slices"
	"strings"
	"time"
)

// MessageType is one row of the webhook catalogue (reference §16): which device types send it, the JSON type of
// details, whether a User field comes with it, and whether its spelling is documented or ours.
type MessageType struct {
	Name        string   // message_type as sent, e.g. "Lock", "leak_detected"
	DeviceTypes []string // device_type values that send it ("hub" for hub events)
	Details     string   // "none", "string" or "number"
	Example     any      // details used when a trigger gives none
	User        bool     // the envelope carries User
	DefaultUser string   // User used when a trigger gives none
	Inferred    bool     // spelling or shape not documented upstream

	apply func(t target, details any, at time.Time) // the state change the event reports; nil = none
}

// Details kinds.
const (
	detailsNone   = "none"
	detailsString = "string"
	detailsNumber = "number"
)

// Device types (reference §14). The first six are confirmed upstream; the rest are our snake_case names.
var (
	allDeviceTypes = []string{"lock", "thermostat", "switch", "dimmable_switch", "leakage_sensor", "contact_sensor",
		"motion_sensor", "garage_door", "lightbulb", "repeater", "valve_controller", "smoke_alarm", "door_bell", "siren",
		"access_panel"}
	batteryDeviceTypes = []string{"lock", "thermostat", "contact_sensor", "motion_sensor", "leakage_sensor",
		"smoke_alarm", "door_bell"}
	switchTypes = []string{"switch", "dimmable_switch", "lightbulb"}
	hubOnly     = []string{"hub"}
)

// catalogue is reference §16 as one table: correct a spelling here and every emitter and trigger follows.
var catalogue = []MessageType{
	{Name: "online", DeviceTypes: hubOnly, Details: detailsString, Example: "Online", apply: setHubOnline(true)},
	{Name: "offline", DeviceTypes: hubOnly, Details: detailsString, Example: "Offline", Inferred: true, apply: setHubOnline(false)},
	{Name: "heartbeat", DeviceTypes: hubOnly, Details: detailsString, Example: "", apply: func(t target, _ any, at time.Time) { t.hub.HeartBeat = at }},
	{Name: "power_source", DeviceTypes: hubOnly, Details: detailsString, Example: "battery", apply: setHubPower},
	{Name: "unassigned_from_account", DeviceTypes: hubOnly, Details: detailsNumber, Example: 5, apply: func(t target, _ any, _ time.Time) { t.hub.PropertyID = 0 }},
	{Name: "Lock", DeviceTypes: []string{"lock"}, Details: detailsNone, User: true, DefaultUser: "Auto", apply: setDevMode("locked")},
	{Name: "Unlock", DeviceTypes: []string{"lock"}, Details: detailsNone, User: true, DefaultUser: "Keypad", Inferred: true, apply: setDevMode("unlocked")},
	{Name: "add_device", DeviceTypes: hubOnly, Details: detailsString, Example: "8", Inferred: true},
	{Name: "remove_device", DeviceTypes: hubOnly, Details: detailsString, Example: "2", Inferred: true},
	{Name: "online", DeviceTypes: allDeviceTypes, Details: detailsString, Example: "Online", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Offline = false }},
	{Name: "offline", DeviceTypes: allDeviceTypes, Details: detailsString, Example: "Offline", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Offline = true }},
	{Name: "low_battery", DeviceTypes: batteryDeviceTypes, Details: detailsNumber, Example: 15, Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.Battery = clamp(v.(int), 0, 100) }},
	{Name: "tamper", DeviceTypes: []string{"lock", "contact_sensor", "motion_sensor", "access_panel"}, Details: detailsString, Example: "Tamper", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Tamper = true }},
	{Name: "lock_code_added", DeviceTypes: []string{"lock", "access_panel"}, Details: detailsNumber, Example: 2, User: true, DefaultUser: "Keypad", Inferred: true},
	{Name: "lock_code_deleted", DeviceTypes: []string{"lock", "access_panel"}, Details: detailsNumber, Example: 2, User: true, DefaultUser: "Keypad", Inferred: true},
	{Name: "lock_code_failed", DeviceTypes: []string{"lock", "access_panel"}, Details: detailsString, Example: "slot 3: slots full", User: true, DefaultUser: "Keypad", Inferred: true},
	{Name: "jammed", DeviceTypes: []string{"lock"}, Details: detailsString, Example: "jammed", Inferred: true, apply: setDevMode("jammed")},
	{Name: "access_denied", DeviceTypes: []string{"lock", "access_panel"}, Details: detailsString, Example: "Invalid code", User: true, DefaultUser: "Keypad", Inferred: true},
	{Name: "door_open", DeviceTypes: []string{"contact_sensor"}, Details: detailsString, Example: "open", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.ContactOpen = true }},
	{Name: "door_closed", DeviceTypes: []string{"contact_sensor"}, Details: detailsString, Example: "closed", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.ContactOpen = false }},
	{Name: "motion_detected", DeviceTypes: []string{"motion_sensor"}, Details: detailsString, Example: "yes", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Motion = true }},
	{Name: "motion_cleared", DeviceTypes: []string{"motion_sensor"}, Details: detailsString, Example: "no", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Motion = false }},
	{Name: "leak_detected", DeviceTypes: []string{"leakage_sensor"}, Details: detailsString, Example: "yes", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Leak = true }},
	{Name: "leak_cleared", DeviceTypes: []string{"leakage_sensor"}, Details: detailsString, Example: "no", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Leak = false }},
	{Name: "smoke_detected", DeviceTypes: []string{"smoke_alarm"}, Details: detailsString, Example: "yes", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Smoke = true }},
	{Name: "smoke_cleared", DeviceTypes: []string{"smoke_alarm"}, Details: detailsString, Example: "no", Inferred: true, apply: func(t target, _ any, _ time.Time) { t.dev.Smoke = false }},
	{Name: "thermostat_mode_changed", DeviceTypes: []string{"thermostat"}, Details: detailsString, Example: "cool", Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.Mode = v.(string) }},
	{Name: "heating_setpoint_changed", DeviceTypes: []string{"thermostat"}, Details: detailsNumber, Example: 68, Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.HeatSetpoint = v.(int) }},
	{Name: "cooling_setpoint_changed", DeviceTypes: []string{"thermostat"}, Details: detailsNumber, Example: 75, Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.CoolSetpoint = v.(int) }},
	{Name: "fan_mode_changed", DeviceTypes: []string{"thermostat"}, Details: detailsString, Example: "on", Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.Fan = v.(string) }},
	{Name: "temperature_alert", DeviceTypes: []string{"thermostat"}, Details: detailsNumber, Example: 88, Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.RoomTemp = v.(int) }},
	{Name: "switch_on", DeviceTypes: switchTypes, Details: detailsString, Example: "on", Inferred: true, apply: setDevMode("on")},
	{Name: "switch_off", DeviceTypes: switchTypes, Details: detailsString, Example: "off", Inferred: true, apply: setDevMode("off")},
	{Name: "dimmer_level_changed", DeviceTypes: []string{"dimmable_switch", "lightbulb"}, Details: detailsNumber, Example: 40, Inferred: true, apply: func(t target, v any, _ time.Time) { t.dev.Power = clamp(v.(int), 0, 100) }},
	{Name: "garage_door_opened", DeviceTypes: []string{"garage_door"}, Details: detailsString, Example: "open", Inferred: true, apply: setDevMode("open")},
	{Name: "garage_door_closed", DeviceTypes: []string{"garage_door"}, Details: detailsString, Example: "closed", Inferred: true, apply: setDevMode("closed")},
	{Name: "valve_opened", DeviceTypes: []string{"valve_controller"}, Details: detailsString, Example: "open", Inferred: true, apply: setDevMode("open")},
	{Name: "valve_closed", DeviceTypes: []string{"valve_controller"}, Details: detailsString, Example: "closed", Inferred: true, apply: setDevMode("closed")},
	{Name: "doorbell_pressed", DeviceTypes: []string{"door_bell"}, Details: detailsString, Example: "pressed", Inferred: true, apply: func(t target, _ any, at time.Time) { t.dev.LastPressed = at }},
	{Name: "siren_on", DeviceTypes: []string{"siren"}, Details: detailsString, Example: "on", Inferred: true, apply: setDevMode("on")},
	{Name: "siren_off", DeviceTypes: []string{"siren"}, Details: detailsString, Example: "off", Inferred: true, apply: setDevMode("off")},
	{Name: "access_granted", DeviceTypes: []string{"access_panel"}, Details: detailsString, Example: "Granted", User: true, DefaultUser: "App", Inferred: true},
}

func setHubOnline(on bool) func(target, any, time.Time) {
	return func(t target, _ any, at time.Time) {
		t.hub.Online = on
		if on {
			t.hub.HeartBeat = at
		}
	}
}

func setHubPower(t target, v any, _ time.Time) {
	if s := v.(string); s == "battery" || s == "external" {
		t.hub.PowerSource = s
	}
}

func setDevMode(mode string) func(target, any, time.Time) {
	return func(t target, _ any, _ time.Time) { t.dev.Mode = mode }
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// lookupMessage finds the catalogue row for a device type and message type (case-insensitive, as receivers match).
func lookupMessage(deviceType, name string) (MessageType, bool) {
	for _, m := range catalogue {
		if strings.EqualFold(m.Name, name) && slices.Contains(m.DeviceTypes, deviceType) {
			return m, true
		}
	}
	return MessageType{}, false
}

// messagesFor lists the message types a device type sends, in catalogue order (device activity events).
func messagesFor(deviceType string) []string {
	var out []string
	for _, m := range catalogue {
		if slices.Contains(m.DeviceTypes, deviceType) {
			out = append(out, m.Name)
		}
	}
	return out
}

// Catalogue returns a copy of the webhook catalogue, for documentation and tests.
func Catalogue() []MessageType {
	out := make([]MessageType, len(catalogue))
	for i, m := range catalogue {
		m.DeviceTypes = slices.Clone(m.DeviceTypes)
		m.apply = nil
		out[i] = m
	}
	return out
}
