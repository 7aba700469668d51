package handlers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/smarthome"
)

// Command actions: what a command record says was asked. Device actions first, then hub actions.
const (
	actLock       = "lock"
	actUnlock     = "unlock"
	actOn         = "on"
	actOff        = "off"
	actOpen       = "open"
	actClose      = "close"
	actLevel      = "level"
	actThermostat = "thermostat"
	actReset      = "reset_master_code"
)

// commandSpec is what a person asked a device or a hub to do, stored as the record's JSON. It is enough to build
// the wire command again and to recognise the state that confirms it; it never holds a PIN or a master code.
type commandSpec struct {
	Action  string  `json:"action"`
	Level   *int    `json:"level,omitempty"`
	Mode    *string `json:"mode,omitempty"`
	Heating *int    `json:"heating_setpoint,omitempty"`
	Cooling *int    `json:"cooling_setpoint,omitempty"`
	Fan     *string `json:"fan,omitempty"`
	NodeID  string  `json:"node_id,omitempty"`
}

func (s commandSpec) json() string {
	b, _ := json.Marshal(s) // a struct of strings and ints always marshals
	return string(b)
}

func parseSpec(raw string) commandSpec {
	var s commandSpec
	_ = json.Unmarshal([]byte(raw), &s) // a record is only ever written from a commandSpec
	return s
}

// deviceActions are the actions each device type takes (reference §7). Types not listed take none.
var deviceActions = map[string][]string{
	"lock":             {actLock, actUnlock},
	"switch":           {actOn, actOff},
	"siren":            {actOn, actOff},
	"garage_door":      {actOpen, actClose},
	"valve_controller": {actOpen, actClose},
	"dimmable_switch":  {actLevel},
	"lightbulb":        {actLevel},
	"thermostat":       {actThermostat},
}

// hubActions are the hub commands of CONTRACT.md, in the order the page offers them.
var hubActions = []string{smarthome.HubRefresh, smarthome.HubReboot, smarthome.HubAddDevice, smarthome.HubRemoveDevice,
	smarthome.HubUpdateFirmware}

// wire builds the device command for s. The spec was validated when it was parsed from the form.
func (s commandSpec) wire(deviceType string) (smarthome.Command, error) {
	switch s.Action {
	case actLock, actUnlock:
		return smarthome.LockCommand(s.Action == actLock), nil
	case actOn, actOff:
		if deviceType == "siren" {
			return smarthome.SirenCommand(s.Action == actOn), nil
		}
		return smarthome.SwitchCommand(s.Action == actOn), nil
	case actOpen, actClose:
		if deviceType == "valve_controller" {
			return smarthome.ValveCommand(s.Action == actOpen), nil
		}
		return smarthome.GarageDoorCommand(s.Action == actOpen), nil
	case actLevel:
		if s.Level == nil {
			return smarthome.Command{}, fmt.Errorf("level command without a level")
		}
		return smarthome.DimmerCommand(*s.Level)
	case actThermostat:
		return smarthome.ThermostatCommand{Mode: s.Mode, HeatingSetpoint: s.Heating, CoolingSetpoint: s.Cooling,
			Fan: s.Fan}.Command()
	}
	return smarthome.Command{}, fmt.Errorf("action %q is not a device command", s.Action)
}

// label is the one-line summary a card and the audit log show.
func (s commandSpec) label() string {
	switch s.Action {
	case actLock:
		return "Lock"
	case actUnlock:
		return "Unlock"
	case actOn:
		return "Turn on"
	case actOff:
		return "Turn off"
	case actOpen:
		return "Open"
	case actClose:
		return "Close"
	case actLevel:
		if s.Level != nil && *s.Level == 0 {
			return "Set level to 0% (off)"
		}
		if s.Level != nil {
			return "Set level to " + strconv.Itoa(*s.Level) + "%"
		}
	case actThermostat:
		var parts []string
		if s.Mode != nil {
			parts = append(parts, "mode "+*s.Mode)
		}
		if s.Heating != nil {
			parts = append(parts, "heat to "+strconv.Itoa(*s.Heating)+" °F")
		}
		if s.Cooling != nil {
			parts = append(parts, "cool to "+strconv.Itoa(*s.Cooling)+" °F")
		}
		if s.Fan != nil {
			parts = append(parts, "fan "+*s.Fan)
		}
		return "Thermostat: " + strings.Join(parts, ", ")
	case smarthome.HubRefresh:
		return "Refresh"
	case smarthome.HubReboot:
		return "Reboot"
	case smarthome.HubAddDevice:
		return "Add a device (inclusion)"
	case smarthome.HubRemoveDevice:
		return "Remove the device at node " + s.NodeID
	case smarthome.HubUpdateFirmware:
		return "Update firmware"
	case actReset:
		return "Reset master code"
	}
	return s.Action
}

// auditAction names the record's action in the audit log: device.lock, hub.reboot, hub.master_code_reset…
func (s commandSpec) auditAction(device bool) string {
	if s.Action == actReset {
		return "hub.master_code_reset"
	}
	if !device {
		return "hub." + s.Action
	}
	return "device." + s.Action
}

// hubWire builds the hub command for s.
func hubWire(s commandSpec) smarthome.HubCommand {
	return smarthome.HubCommand{Command: s.Action, NodeID: s.NodeID}
}
