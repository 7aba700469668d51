package handlers

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/views"
)

// statusReader reads the keys of a mirrored status object (reference §14.2) as text.
type statusReader map[string]json.RawMessage

// str is a string key, or a number's digits; "" when absent.
func (st statusReader) str(k string) string {
	var v string
	if json.Unmarshal(st[k], &v) != nil {
		var n json.Number
		if json.Unmarshal(st[k], &n) == nil {
			return n.String()
		}
	}
	return v
}

func (st statusReader) num(k string) int { n, _ := strconv.Atoi(st.str(k)); return n }

func (st statusReader) deg(k string) string {
	if v := st.str(k); v != "" {
		return v + " °F"
	}
	return ""
}

// codes counts the used slots of a lock's or access panel's codes map; the PINs are read and dropped here.
func (st statusReader) codes() int {
	var codes map[string]*string
	_ = json.Unmarshal(st["codes"], &codes)
	inUse := 0
	for _, c := range codes {
		if c != nil {
			inUse++
		}
	}
	return inUse
}

// lockMode is the {"type": …} mode of a lock or access panel, lowercased.
func (st statusReader) lockMode() string {
	var mode struct{ Type string }
	_ = json.Unmarshal(st["mode"], &mode)
	return strings.ToLower(mode.Type)
}

// deviceState reads the mirrored status object into the typed panel of the device's type.
func deviceState(d db.Device, loc *time.Location) views.DeviceStateData {
	s := views.DeviceStateData{ID: d.ID, Type: d.Type, Online: d.Online, Battery: batteryData(d.Battery)}
	s.Changed, s.ChangedISO = localTimes(&d.StateChangedAt, loc)
	st := statusReader{}
	_ = json.Unmarshal([]byte(d.State), &st)
	switch d.Type {
	case "lock":
		s.Lock = &views.LockStateData{State: st.lockMode(), CodesInUse: st.codes(), CodeSlots: st.num("max_slots")}
	case "access_panel":
		s.AccessPanel = &views.AccessPanelStateData{State: st.lockMode(), CodesInUse: st.codes(),
			CodeSlots: st.num("max_slots"), PowerSource: st.str("power_source"), Signal: st.str("zwave_signal")}
	case "thermostat":
		s.Thermostat = &views.ThermostatStateData{RoomTemp: st.deg("room_temp"), Mode: st.str("mode"),
			HeatingSetpoint: st.deg("heating_setpoint"), CoolingSetpoint: st.deg("cooling_setpoint"), Fan: st.str("fan"),
			OperatingState: st.str("operating_state")}
	case "switch":
		s.Switch = &views.SwitchStateData{On: st.str("mode") == "on"}
	case "siren":
		s.Siren = &views.SirenStateData{On: st.str("mode") == "on"}
	case "dimmable_switch":
		s.Dimmer = &views.DimmerStateData{On: st.str("mode") == "on", Level: st.num("power")}
	case "lightbulb":
		s.Lightbulb = &views.LightbulbStateData{On: st.str("mode") == "on", Level: st.num("power")}
	case "garage_door":
		s.GarageDoor = &views.GarageDoorStateData{State: strings.ToLower(st.str("mode"))}
	case "valve_controller":
		s.Valve = &views.ValveStateData{State: strings.ToLower(st.str("mode"))}
	case "repeater":
		s.Repeater = &views.RepeaterStateData{Signal: st.str("zwave_signal"), PowerSource: st.str("power_source")}
	case "smoke_alarm":
		s.SmokeAlarm = &views.SmokeAlarmStateData{Smoke: st.str("smoke")}
	case "door_bell":
		s.Doorbell = doorbellState(st.str("last_pressed"), loc)
	case "leakage_sensor", "contact_sensor", "motion_sensor":
		var tamper *bool
		_ = json.Unmarshal(st["tamper"], &tamper)
		s.Sensor = &views.SensorStateData{Leak: st.str("leakage"), Contact: st.str("contact"), Motion: st.str("motion")}
		if tamper != nil {
			s.Sensor.Tamper = map[bool]string{true: "yes", false: "no"}[*tamper]
		}
	}
	if !s.Typed() {
		s.Raw = rawFields(st)
	}
	return s
}

// doorbellState puts last_pressed (ISO 8601 with an offset, as the upstream and the webhook path store it) in the
// property's zone. A value that is not a time is shown as it came rather than dropped.
func doorbellState(raw string, loc *time.Location) *views.DoorbellStateData {
	if raw == "" {
		return &views.DoorbellStateData{}
	}
	at, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return &views.DoorbellStateData{LastPressed: rawValue(json.RawMessage(strconv.Quote(raw)))}
	}
	local, iso := localTimes(&at, loc)
	return &views.DoorbellStateData{LastPressed: local, LastPressedISO: iso}
}

// rawFields lists an unknown type's status keys in order, formatted; the view drops keys that may hold codes.
func rawFields(st statusReader) []views.StateFieldData {
	keys := make([]string, 0, len(st))
	for k := range st {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]views.StateFieldData, 0, len(keys))
	for _, k := range keys {
		out = append(out, views.StateFieldData{Key: k, Value: rawValue(st[k])})
	}
	return out
}
