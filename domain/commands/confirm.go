package commands

import (
	"encoding/json"
	"strings"

	"github.com/keyless/dashboard/smarthome"
)

// commandSatisfied reports whether a device's status object (reference §14.2) shows the state spec asked for. It reads
// the upstream's raw status as well as the mirror's sanitised copy: the keys it needs are the same in both.
func commandSatisfied(spec Spec, status []byte) bool {
	st := map[string]json.RawMessage{}
	if json.Unmarshal(status, &st) != nil {
		return false
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(st[key], &s)
		return strings.ToLower(strings.TrimSpace(s))
	}
	num := func(key string) (int, bool) {
		raw, ok := st[key]
		var n smarthome.FlexInt
		if !ok || string(raw) == "null" || json.Unmarshal(raw, &n) != nil {
			return 0, false
		}
		return n.Int(), true
	}
	equalInt := func(want *int, key string) bool {
		if want == nil {
			return true
		}
		got, ok := num(key)
		return ok && got == *want
	}
	equalStr := func(want *string, key string) bool { return want == nil || str(key) == *want }
	switch spec.Action {
	case ActLock, ActUnlock:
		var mode struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(st["mode"], &mode)
		return strings.EqualFold(mode.Type, map[string]string{ActLock: "locked", ActUnlock: "unlocked"}[spec.Action])
	case ActOn, ActOff:
		return str("mode") == spec.Action
	case ActOpen:
		return str("mode") == "open"
	case ActClose:
		return str("mode") == "closed"
	case ActLevel:
		if spec.Level == nil {
			return false
		}
		if *spec.Level == 0 {
			return str("mode") == "off"
		}
		return str("mode") == "on" && equalInt(spec.Level, "power")
	case ActThermostat:
		return equalStr(spec.Mode, "mode") && equalStr(spec.Fan, "fan") &&
			equalInt(spec.Heating, "heating_setpoint") && equalInt(spec.Cooling, "cooling_setpoint")
	}
	return false
}

// confirmingKind is the webhook kind that by itself proves a command took effect, or "" when one event is not
// enough (a thermostat change of several settings, a dimmer level, which reports level and on/off separately).
// Other events of a device with pending commands still trigger an early re-read.
func confirmingKind(deviceType string, spec Spec) smarthome.EventKind {
	family := map[string]map[string]smarthome.EventKind{
		ActLock:   {"lock": smarthome.KindLockLocked},
		ActUnlock: {"lock": smarthome.KindLockUnlocked},
		ActOn: {"switch": smarthome.KindSwitchOn, "dimmable_switch": smarthome.KindSwitchOn,
			"lightbulb": smarthome.KindSwitchOn, "siren": smarthome.KindSirenOn},
		ActOff: {"switch": smarthome.KindSwitchOff, "dimmable_switch": smarthome.KindSwitchOff,
			"lightbulb": smarthome.KindSwitchOff, "siren": smarthome.KindSirenOff},
		ActOpen:  {"garage_door": smarthome.KindGarageOpened, "valve_controller": smarthome.KindValveOpened},
		ActClose: {"garage_door": smarthome.KindGarageClosed, "valve_controller": smarthome.KindValveClosed},
	}
	if spec.Action == ActLevel && spec.Level != nil && *spec.Level == 0 {
		return family[ActOff][deviceType]
	}
	return family[spec.Action][deviceType]
}
