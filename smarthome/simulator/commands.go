package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
)

// deviceCommand is a validated hardware command, waiting in a job until the device applies it.
type deviceCommand struct {
	Mode            *string `json:"mode,omitempty"`
	Power           *int    `json:"power,omitempty"`
	HeatingSetpoint *int    `json:"heating_setpoint,omitempty"`
	CoolingSetpoint *int    `json:"cooling_setpoint,omitempty"`
	Fan             *string `json:"fan,omitempty"`
	FanOnMinutes    *int    `json:"fan_on_minutes,omitempty"`
}

// commandKeys lists the commands each device type accepts (reference §7; CONTRACT.md, Devices).
var commandKeys = map[string][]string{
	"lock":             {"mode"},
	"access_panel":     {"mode"}, // [INF] a lock's verbs, which its locked/unlocked mode implies
	"switch":           {"mode"},
	"siren":            {"mode"},
	"dimmable_switch":  {"mode", "power"},
	"lightbulb":        {"mode", "power"},
	"thermostat":       {"mode", "heating_setpoint", "cooling_setpoint", "fan", "setpoint"},
	"garage_door":      {"mode"},
	"valve_controller": {"mode"},
}

// modeValues lists the allowed command modes per device type.
var modeValues = map[string][]string{
	"lock":             {"lock", "unlock"},
	"access_panel":     {"lock", "unlock"},
	"switch":           {"on", "off"},
	"siren":            {"on", "off"},
	"dimmable_switch":  {"on", "off"},
	"lightbulb":        {"on", "off"},
	"thermostat":       {"off", "heat", "cool", "auto"},
	"garage_door":      {"open", "close"},
	"valve_controller": {"open", "close"},
}

// devicePutBody is PUT /api/devices/{id}: a hardware command, or (inferred) detail fields.
type devicePutBody struct {
	Commands        map[string]json.RawMessage `json:"commands"`
	Settings        map[string]json.RawMessage `json:"settings"`
	DeviceName      *string                    `json:"device_name"`
	OccupantSetting *string                    `json:"occupant_setting"`
	PropertyID      json.RawMessage            `json:"property_id"`
}

// handleDevicePut: PUT /api/devices/{id}. With commands/settings it is the hardware command [CLIENT]; without them the
// inferred detail update (guessed.go).
func (s *Simulator) handleDevicePut(w http.ResponseWriter, r *http.Request, p principal) error {
	var body devicePutBody
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	if body.Commands == nil && body.Settings == nil {
		if s.opts.DisableGuessed {
			return unprocessable("commands or settings is required")
		}
		return s.updateDeviceDetail(w, p, d, body)
	}
	cmd, err := parseCommand(d, body.Commands, body.Settings)
	if err != nil {
		return err
	}
	// Accepted even when the hub is offline: like hardware, the command is then simply never applied.
	s.schedule(job{Due: s.clock.Now().Add(s.opts.CommandDelay), Kind: jobCommand, DeviceID: d.ID, Command: &cmd})
	writeJSON(w, http.StatusOK, ok("Success"))
	return nil
}

// parseCommand validates a command against the device type's rules.
func parseCommand(d *device, commands, settings map[string]json.RawMessage) (deviceCommand, error) {
	var cmd deviceCommand
	allowed, commandable := commandKeys[d.Type]
	if !commandable {
		return cmd, unprocessable("Device does not accept commands")
	}
	for _, k := range sortedKeys(commands) {
		if !slices.Contains(allowed, k) {
			return cmd, unprocessable("Unknown command: " + k)
		}
	}
	for _, k := range sortedKeys(settings) {
		if d.Type != "thermostat" || k != "fan_on_mode" {
			return cmd, unprocessable("Unknown setting: " + k)
		}
	}
	if len(commands) == 0 && len(settings) == 0 {
		return cmd, unprocessable("No command given")
	}
	var err error
	if cmd.Mode, err = rawString(commands, "mode", modeValues[d.Type]); err != nil {
		return cmd, err
	}
	switch d.Type {
	case "dimmable_switch", "lightbulb":
		cmd.Power, err = rawInt(commands, "power", 0, 100)
	case "thermostat":
		err = parseThermostat(d, &cmd, commands, settings)
	default:
		if cmd.Mode == nil {
			err = unprocessable("mode is required")
		}
	}
	return cmd, err
}

func parseThermostat(d *device, cmd *deviceCommand, commands, settings map[string]json.RawMessage) error {
	var err error
	if cmd.HeatingSetpoint, err = rawInt(commands, "heating_setpoint", 50, 90); err != nil {
		return err
	}
	if cmd.CoolingSetpoint, err = rawInt(commands, "cooling_setpoint", 50, 90); err != nil {
		return err
	}
	if cmd.Fan, err = rawString(commands, "fan", []string{"auto", "on"}); err != nil {
		return err
	}
	if cmd.FanOnMinutes, err = rawInt(settings, "fan_on_mode", 0, 720); err != nil {
		return err
	}
	sp, err := rawInt(commands, "setpoint", 50, 90) // single-setpoint variant [CLIENT C-ha-scripts]
	if err != nil {
		return err
	}
	if sp != nil {
		switch {
		case cmd.Mode != nil && *cmd.Mode == "heat" && cmd.HeatingSetpoint == nil:
			cmd.HeatingSetpoint = sp
		case cmd.Mode != nil && *cmd.Mode == "cool" && cmd.CoolingSetpoint == nil:
			cmd.CoolingSetpoint = sp
		default:
			return unprocessable("setpoint needs mode heat or cool")
		}
	}
	heat, cool := d.HeatSetpoint, d.CoolSetpoint // the one not sent keeps its current value
	if cmd.HeatingSetpoint != nil {
		heat = *cmd.HeatingSetpoint
	}
	if cmd.CoolingSetpoint != nil {
		cool = *cmd.CoolingSetpoint
	}
	if (cmd.HeatingSetpoint != nil || cmd.CoolingSetpoint != nil) && heat > cool-3 {
		return unprocessable(fmt.Sprintf("heating_setpoint (%d) must be at least 3 below cooling_setpoint (%d)", heat, cool))
	}
	return nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func rawString(m map[string]json.RawMessage, key string, allowed []string) (*string, error) {
	raw, present := m[key]
	if !present {
		return nil, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil || !slices.Contains(allowed, v) {
		return nil, unprocessable(fmt.Sprintf("%s must be one of %v", key, allowed))
	}
	return &v, nil
}

func rawInt(m map[string]json.RawMessage, key string, lo, hi int) (*int, error) {
	raw, present := m[key]
	if !present {
		return nil, nil
	}
	var f flexInt
	if err := json.Unmarshal(raw, &f); err != nil || !f.Set || f.Value < int64(lo) || f.Value > int64(hi) {
		return nil, unprocessable(fmt.Sprintf("%s must be an integer between %d and %d", key, lo, hi))
	}
	v := int(f.Value)
	return &v, nil
}

// applyCommand is the device carrying out a command; a device behind an offline hub never hears it. Callers hold s.mu.
func (s *Simulator) applyCommand(j *job) {
	d := s.st.Devices[j.DeviceID]
	if d == nil || d.Offline || j.Command == nil {
		return
	}
	h := s.st.Hubs[d.HubID]
	if h == nil || !h.Online {
		return
	}
	s.applyValues(target{hub: h, dev: d}, *j.Command, j.Due, "App")
}

// applyValues sets the command's values and emits one catalogue event per change (commands and schedule blocks).
func (s *Simulator) applyValues(t target, c deviceCommand, at time.Time, user string) {
	d := t.dev
	emit := func(mt string, details any, u string) { s.emit(t, d.Type, mt, details, u, at) }
	if c.Mode == nil && (d.Type == "lock" || d.Type == "access_panel" || d.Type == "garage_door" || d.Type == "valve_controller" || d.Type == "siren") {
		return // a hand-edited state file may hold such a job; parseCommand never makes one
	}
	switch d.Type {
	case "lock":
		d.Mode = map[string]string{"lock": "locked", "unlock": "unlocked"}[*c.Mode]
		emit(map[string]string{"locked": "Lock", "unlocked": "Unlock"}[d.Mode], nil, user)
	case "access_panel": // only an unlock has a catalogue event: entry allowed, by the app
		d.Mode = map[string]string{"lock": "locked", "unlock": "unlocked"}[*c.Mode]
		if d.Mode == "unlocked" {
			emit("access_granted", "Granted", user)
		}
	case "garage_door", "valve_controller":
		d.Mode = map[string]string{"open": "open", "close": "closed"}[*c.Mode]
		prefix := map[string]string{"garage_door": "garage_door_", "valve_controller": "valve_"}[d.Type]
		emit(prefix+map[string]string{"open": "opened", "closed": "closed"}[d.Mode], d.Mode, "")
	case "siren":
		d.Mode = *c.Mode
		emit("siren_"+d.Mode, d.Mode, "")
	case "switch", "dimmable_switch", "lightbulb":
		s.applySwitch(d, c, emit)
	case "thermostat":
		s.applyThermostat(d, c, at, emit)
	}
	d.Source = "app"
}

func (s *Simulator) applySwitch(d *device, c deviceCommand, emit func(string, any, string)) {
	if c.Power != nil {
		d.Power = *c.Power
		emit("dimmer_level_changed", d.Power, "")
		if c.Mode == nil { // openly's rule: a level turns the light on, 0 turns it off
			c.Mode = ptr(map[bool]string{true: "on", false: "off"}[d.Power > 0])
		}
	}
	if c.Mode != nil {
		d.Mode = *c.Mode
		emit("switch_"+d.Mode, d.Mode, "")
	}
}

func (s *Simulator) applyThermostat(d *device, c deviceCommand, at time.Time, emit func(string, any, string)) {
	if c.Mode != nil {
		d.Mode = *c.Mode
		emit("thermostat_mode_changed", d.Mode, "")
	}
	if c.HeatingSetpoint != nil {
		d.HeatSetpoint = *c.HeatingSetpoint
		emit("heating_setpoint_changed", d.HeatSetpoint, "")
	}
	if c.CoolingSetpoint != nil {
		d.CoolSetpoint = *c.CoolingSetpoint
		emit("cooling_setpoint_changed", d.CoolSetpoint, "")
	}
	if c.FanOnMinutes != nil {
		d.FanOnMinutes = *c.FanOnMinutes
		fan := "auto"
		if d.FanOnMinutes > 0 {
			fan = "on"
			s.schedule(job{Due: at.Add(time.Duration(d.FanOnMinutes) * time.Minute), Kind: jobTrigger,
				Trigger: &TriggerEvent{DeviceID: d.ID, MessageType: "fan_mode_changed", Details: "auto"}})
		}
		c.Fan = &fan
	}
	if c.Fan != nil {
		d.Fan = *c.Fan
		emit("fan_mode_changed", d.Fan, "")
	}
	if d.ScheduleID != "" { // a manual change holds the schedule off for hold_duration (540 min)
		d.HoldUntil = at.Add(540 * time.Minute)
	}
}

func ptr[T any](v T) *T { return &v }
