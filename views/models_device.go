package views

import (
	"strings"

	"github.com/a-h/templ"
)

// DeviceGroupData is the devices of one type on a property page.
type DeviceGroupData struct {
	Type    string // device_type, e.g. "lock"; the heading comes from DeviceTypeLabel
	Devices []DeviceRowData
}

// DeviceRowData is a device in a list; its one-line summary comes from State.
type DeviceRowData struct {
	ID, Name, Type string
	State          DeviceStateData
}

// DeviceDetailData is one device's page.
type DeviceDetailData struct {
	ID, Name, Type           string
	HubID, HubName           string
	PropertyID, PropertyName string // empty when unassigned
	State                    DeviceStateData
	Sync                     SyncData
	Sections                 []templ.Component // feature sections (commands, codes, schedules…), rendered in order after the state
}

// DeviceStateData is a device's live state: the panel htmx or SSE re-renders. Set the one typed part that fits
// the device (one per upstream type family, see models_device_types.go); with none set (an unknown type), Raw is
// shown as a definition list.
type DeviceStateData struct {
	ID, Type    string
	Online      bool
	Battery     BatteryData
	Changed     string // local time of the last state change; may be empty
	ChangedISO  string
	Lock        *LockStateData
	Thermostat  *ThermostatStateData
	Switch      *SwitchStateData
	Dimmer      *DimmerStateData
	Sensor      *SensorStateData
	GarageDoor  *GarageDoorStateData
	Valve       *ValveStateData
	Repeater    *RepeaterStateData
	SmokeAlarm  *SmokeAlarmStateData
	Siren       *SirenStateData
	Lightbulb   *LightbulbStateData
	AccessPanel *AccessPanelStateData
	Doorbell    *DoorbellStateData
	Raw         []StateFieldData // the upstream status keys, formatted; secrets are dropped when rendered
}

// LockStateData is a lock's state. It carries how many code slots are in use, never the codes.
type LockStateData struct {
	State      string // "locked", "unlocked", "jammed"; empty when unknown
	CodesInUse int
	CodeSlots  int // 0 when unknown
}

// ThermostatStateData holds a thermostat's readings, already formatted ("72 °F"); empty = not reported.
type ThermostatStateData struct {
	RoomTemp        string
	Humidity        string
	Mode            string // off | heat | cool | auto
	HeatingSetpoint string
	CoolingSetpoint string
	Fan             string // auto | on
	OperatingState  string // e.g. "Heating", "Pending_Cool"
}

// SwitchStateData is an on/off device (switch, siren).
type SwitchStateData struct {
	On bool
}

// DimmerStateData is a dimmable switch or bulb; Level is 0–100.
type DimmerStateData struct {
	On    bool
	Level int
}

// SensorStateData holds sensor readings as the upstream reports them; an empty field is not shown.
type SensorStateData struct {
	Leak    string // "yes" | "no"
	Contact string // "open" | "closed"
	Motion  string // "yes" | "no"
	Smoke   string // "yes" | "no"
	Tamper  string // "yes" | "no" (the upstream's tamper flag, when the sensor reports one)
}

// StateFieldData is one raw status key and its formatted value.
type StateFieldData struct {
	Key, Value string
}

// DOMID is the state panel's element id, the target of htmx and SSE swaps.
func (d DeviceStateData) DOMID() string { return domID("device-state", d.ID) }

// Alarm reports whether the state needs someone's attention now (jammed lock, leak, smoke, tamper).
func (d DeviceStateData) Alarm() bool {
	if d.Lock != nil && d.Lock.State == "jammed" {
		return true
	}
	if s := d.Sensor; s != nil {
		return s.Leak == "yes" || s.Smoke == "yes" || s.Tamper == "yes"
	}
	return d.SmokeAlarm != nil && d.SmokeAlarm.Smoke == "yes"
}

// Typed reports whether one typed part is set (else the panel shows Raw).
func (d DeviceStateData) Typed() bool {
	if _, ok := d.typedSummary(); ok {
		return true
	}
	return d.Lock != nil || d.Thermostat != nil || d.Switch != nil || d.Dimmer != nil || d.Sensor != nil
}

// Summary is the state in one line, for device lists.
func (d DeviceStateData) Summary() string {
	parts, typed := d.typedSummary()
	switch {
	case typed:
	case d.Lock != nil:
		parts = append(parts, lockLabel(d.Lock.State))
		if d.Lock.CodesInUse > 0 {
			parts = append(parts, plural(d.Lock.CodesInUse, "code", "codes"))
		}
	case d.Thermostat != nil:
		t := d.Thermostat
		parts = appendNonEmpty(parts, t.RoomTemp, humanize(t.Mode), humanize(t.OperatingState))
	case d.Switch != nil:
		parts = append(parts, onOff(d.Switch.On))
	case d.Dimmer != nil:
		parts = append(parts, onOff(d.Dimmer.On))
		if d.Dimmer.On {
			parts = append(parts, itoa(clampPercent(d.Dimmer.Level))+"%")
		}
	case d.Sensor != nil:
		for _, r := range d.Sensor.readings() {
			if r.testid != "tamper" || r.alarm { // "not tampered" is noise in a one-line summary
				parts = append(parts, r.value)
			}
		}
	default:
		for _, f := range safeFields(d.Raw) {
			if len(parts) == 2 {
				break
			}
			parts = append(parts, humanize(f.Key)+": "+f.Value)
		}
	}
	if len(parts) == 0 || parts[0] == "" {
		return "No state reported"
	}
	return strings.Join(parts, " · ")
}

// sensorReading is one formatted sensor reading; alarm marks the values that need attention.
type sensorReading struct {
	label, value, testid string
	alarm                bool
}

// readings formats the readings the sensor reports, in a fixed order.
func (s SensorStateData) readings() []sensorReading {
	var out []sensorReading
	if s.Leak != "" {
		out = append(out, sensorReading{"Water", yesNo(s.Leak, "Leak detected", "Dry"), "leak", s.Leak == "yes"})
	}
	if s.Contact != "" {
		out = append(out, sensorReading{"Door/window", humanize(s.Contact), "contact", false})
	}
	if s.Motion != "" {
		out = append(out, sensorReading{"Motion", yesNo(s.Motion, "Motion detected", "No motion"), "motion", false})
	}
	if s.Smoke != "" {
		out = append(out, sensorReading{"Smoke", yesNo(s.Smoke, "Smoke detected", "Clear"), "smoke", s.Smoke == "yes"})
	}
	if s.Tamper != "" {
		out = append(out, sensorReading{"Tamper", yesNo(s.Tamper, "Tampered", "Not tampered"), "tamper", s.Tamper == "yes"})
	}
	return out
}

// secretKeys are status keys that can hold lock codes; they are never rendered, whatever the handler passes.
var secretKeys = map[string]bool{"codes": true, "code": true, "master_code": true, "pin": true, "pins": true}

// safeFields drops the keys that may carry secrets.
func safeFields(fs []StateFieldData) []StateFieldData {
	out := make([]StateFieldData, 0, len(fs))
	for _, f := range fs {
		if !secretKeys[strings.ToLower(strings.TrimSpace(f.Key))] {
			out = append(out, f)
		}
	}
	return out
}

func lockLabel(state string) string {
	switch state {
	case "locked":
		return "Locked"
	case "unlocked":
		return "Unlocked"
	case "jammed":
		return "Jammed"
	}
	return "Unknown"
}

func lockBadge(state string) string {
	switch state {
	case "locked":
		return "badge-ok"
	case "unlocked":
		return "badge-warn"
	case "jammed":
		return "badge-danger"
	}
	return "badge-muted"
}

func onOff(on bool) string {
	if on {
		return "On"
	}
	return "Off"
}

func yesNo(v, yes, no string) string {
	switch v {
	case "yes":
		return yes
	case "no":
		return no
	}
	return humanize(v)
}

func clampPercent(n int) int { return min(max(n, 0), 100) }

func appendNonEmpty(parts []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return parts
}
