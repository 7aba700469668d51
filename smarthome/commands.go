package smarthome

import (
	"slices"
)

// Command is a device hardware command: {"commands": {...}, "settings": {...}} with only the keys that are set
// (reference §7). Build it with the typed constructors below, which choose the right keys for each device type.
type Command struct {
	Commands *CommandValues   `json:"commands,omitempty"`
	Settings *CommandSettings `json:"settings,omitempty"`
}

// CommandValues are the keys of a command's "commands" object.
type CommandValues struct {
	Mode            *string `json:"mode,omitempty"`
	Power           *int    `json:"power,omitempty"` // dimmers: 0–100
	HeatingSetpoint *int    `json:"heating_setpoint,omitempty"`
	CoolingSetpoint *int    `json:"cooling_setpoint,omitempty"`
	Fan             *string `json:"fan,omitempty"`
}

// CommandSettings are the keys of a command's "settings" object.
type CommandSettings struct {
	FanOnMode *int `json:"fan_on_mode,omitempty"` // thermostat fan run time in minutes, 0–720
}

// Thermostat limits enforced before sending (openly's rules, which the API applies too).
const (
	MinSetpoint     = 50  // °F
	MaxSetpoint     = 90  // °F
	SetpointGap     = 3   // heating must be at most cooling − 3 °F
	MaxFanOnMinutes = 720 // 12 h
)

// Every mode word some device type accepts; Validate rejects the rest.
var commandModes = []string{"lock", "unlock", "on", "off", "heat", "cool", "auto", "open", "close"}

// Validate checks what can be checked without knowing the device type: something is set, the mode is a known
// word, and the values are in range.
func (c Command) Validate() error {
	v, st := c.Commands, c.Settings
	if (v == nil || *v == (CommandValues{})) && (st == nil || st.FanOnMode == nil) {
		return validationError("empty command")
	}
	if v != nil {
		if v.Mode != nil && !slices.Contains(commandModes, *v.Mode) {
			return validationError("unknown command mode %q", *v.Mode)
		}
		if v.Power != nil && (*v.Power < 0 || *v.Power > 100) {
			return validationError("power %d outside 0–100", *v.Power)
		}
		if v.Fan != nil && *v.Fan != "auto" && *v.Fan != "on" {
			return validationError("fan %q: want auto or on", *v.Fan)
		}
		if err := checkSetpoints(v.HeatingSetpoint, v.CoolingSetpoint); err != nil {
			return err
		}
	}
	if st != nil && st.FanOnMode != nil && (*st.FanOnMode < 0 || *st.FanOnMode > MaxFanOnMinutes) {
		return validationError("fan run time %d min outside 0–%d", *st.FanOnMode, MaxFanOnMinutes)
	}
	return nil
}

func checkSetpoints(heat, cool *int) error {
	for _, sp := range []*int{heat, cool} {
		if sp != nil && (*sp < MinSetpoint || *sp > MaxSetpoint) {
			return validationError("setpoint %d°F outside %d–%d", *sp, MinSetpoint, MaxSetpoint)
		}
	}
	if heat != nil && cool != nil && *heat > *cool-SetpointGap {
		return validationError("heating setpoint %d°F must be at least %d°F below cooling %d°F", *heat, SetpointGap, *cool)
	}
	return nil
}

func modeCommand(mode string) Command { return Command{Commands: &CommandValues{Mode: &mode}} }

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// LockCommand locks (true) or unlocks (false) a lock: {"commands": {"mode": "lock"|"unlock"}}.
func LockCommand(lock bool) Command { return modeCommand(pick(lock, "lock", "unlock")) }

// AccessPanelCommand locks or unlocks an access panel: its status carries a lock's mode, so it takes the lock's
// verbs. [INF]
func AccessPanelCommand(lock bool) Command { return LockCommand(lock) }

// SwitchCommand turns a switch (or a light bulb) on or off.
func SwitchCommand(on bool) Command { return modeCommand(pick(on, "on", "off")) }

// SirenCommand sounds (true) or silences a siren. [INF]
func SirenCommand(on bool) Command { return modeCommand(pick(on, "on", "off")) }

// GarageDoorCommand opens or closes a garage door. [INF]
func GarageDoorCommand(open bool) Command { return modeCommand(pick(open, "open", "close")) }

// ValveCommand opens (water on) or closes a valve controller. [INF]
func ValveCommand(open bool) Command { return modeCommand(pick(open, "open", "close")) }

// DimmerCommand sets a dimmable switch or bulb to level (0–100): 0 turns it off, anything else turns it on at
// that power, as the app does.
func DimmerCommand(level int) (Command, error) {
	if level < 0 || level > 100 {
		return Command{}, validationError("dimmer level %d outside 0–100", level)
	}
	if level == 0 {
		return modeCommand("off"), nil
	}
	return Command{Commands: &CommandValues{Mode: Ptr("on"), Power: &level}}, nil
}

// ThermostatCommand sets any subset of a thermostat's mode, setpoints (°F), fan mode and fan run time.
type ThermostatCommand struct {
	Mode            *string // off, heat, cool, auto
	HeatingSetpoint *int
	CoolingSetpoint *int
	Fan             *string // auto, on
	FanOnMinutes    *int    // 0–720; sent as settings.fan_on_mode
}

// Validate applies the thermostat rules: 50–90 °F, heating ≤ cooling − 3 when both are given, fan run time 0–720.
func (t ThermostatCommand) Validate() error {
	if t == (ThermostatCommand{}) {
		return validationError("empty thermostat command")
	}
	if t.Mode != nil && !slices.Contains([]string{"off", "heat", "cool", "auto"}, *t.Mode) {
		return validationError("thermostat mode %q: want off, heat, cool or auto", *t.Mode)
	}
	if t.Fan != nil && *t.Fan != "auto" && *t.Fan != "on" {
		return validationError("fan %q: want auto or on", *t.Fan)
	}
	if t.FanOnMinutes != nil && (*t.FanOnMinutes < 0 || *t.FanOnMinutes > MaxFanOnMinutes) {
		return validationError("fan run time %d min outside 0–%d", *t.FanOnMinutes, MaxFanOnMinutes)
	}
	return checkSetpoints(t.HeatingSetpoint, t.CoolingSetpoint)
}

// Command validates t and builds the wire command.
func (t ThermostatCommand) Command() (Command, error) {
	if err := t.Validate(); err != nil {
		return Command{}, err
	}
	var c Command
	if t.Mode != nil || t.HeatingSetpoint != nil || t.CoolingSetpoint != nil || t.Fan != nil {
		c.Commands = &CommandValues{Mode: t.Mode, HeatingSetpoint: t.HeatingSetpoint, CoolingSetpoint: t.CoolingSetpoint, Fan: t.Fan}
	}
	if t.FanOnMinutes != nil {
		c.Settings = &CommandSettings{FanOnMode: t.FanOnMinutes}
	}
	return c, nil
}
