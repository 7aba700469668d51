package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keyless/dashboard/smarthome"
)

// hubHistoryEvents are the events the hub activities route accepts [DOC D-hubact].
var hubHistoryEvents = []string{smarthome.EventAddDevice, smarthome.EventRemoveDevice}

// deviceHistoryEvents are the events the device activities route accepts per device type: the webhook message
// types the device sends (reference §16, spelled as the upstream spells them; the route matches them
// case-insensitively [INF]). A test keeps this table in step with the simulator's catalogue.
var deviceHistoryEvents = func() map[string][]string {
	common := []string{"online", "offline"}
	battery := []string{"low_battery"}
	codes := []string{"lock_code_added", "lock_code_deleted", "lock_code_failed", "access_denied"}
	join := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	switches := []string{"switch_on", "switch_off"}
	return map[string][]string{
		"lock": join([]string{"Lock", "Unlock"}, codes, []string{"jammed", "tamper"}, battery, common),
		"thermostat": join([]string{"thermostat_mode_changed", "heating_setpoint_changed", "cooling_setpoint_changed",
			"fan_mode_changed", "temperature_alert"}, battery, common),
		"switch":           join(switches, common),
		"dimmable_switch":  join(switches, []string{"dimmer_level_changed"}, common),
		"lightbulb":        join(switches, []string{"dimmer_level_changed"}, common),
		"leakage_sensor":   join([]string{"leak_detected", "leak_cleared"}, battery, common),
		"contact_sensor":   join([]string{"door_open", "door_closed", "tamper"}, battery, common),
		"motion_sensor":    join([]string{"motion_detected", "motion_cleared", "tamper"}, battery, common),
		"smoke_alarm":      join([]string{"smoke_detected", "smoke_cleared"}, battery, common),
		"door_bell":        join([]string{"doorbell_pressed"}, battery, common),
		"garage_door":      join([]string{"garage_door_opened", "garage_door_closed"}, common),
		"valve_controller": join([]string{"valve_opened", "valve_closed"}, common),
		"siren":            join([]string{"siren_on", "siren_off"}, common),
		"repeater":         common,
		"access_panel":     join(codes, []string{"access_granted", "tamper"}, common),
	}
}()

// historyEventLabel turns an event name into a label: "lock_code_added" → "Lock code added".
func historyEventLabel(ev string) string {
	s := strings.ToLower(strings.ReplaceAll(ev, "_", " "))
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return ev
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
