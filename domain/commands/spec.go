// Package commands is what a hardware command is and how it is confirmed: the spec a person asked for (its action,
// label and wire form), the device states and webhook kinds that prove it took effect, and the Tracker that turns
// pending command records into succeeded or failed ones.
package commands

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/smarthome"
)

// Command actions: what a command record says was asked. Device actions first, then hub actions.
const (
	ActLock       = "lock"
	ActUnlock     = "unlock"
	ActOn         = "on"
	ActOff        = "off"
	ActOpen       = "open"
	ActClose      = "close"
	ActLevel      = "level"
	ActThermostat = "thermostat"
	ActReset      = "reset_master_code"
)

// Spec is what a person asked a device or a hub to do, stored as the record's JSON. It is enough to build
// the wire command again and to recognise the state that confirms it; it never holds a PIN or a master code.
type Spec struct {
	Action  string  `json:"action"`
	Level   *int    `json:"level,omitempty"`
	Mode    *string `json:"mode,omitempty"`
	Heating *int    `json:"heating_setpoint,omitempty"`
	Cooling *int    `json:"cooling_setpoint,omitempty"`
	Fan     *string `json:"fan,omitempty"`
	NodeID  string  `json:"node_id,omitempty"`
	// DeviceType is the type an add_device pairs (one of smarthome.DeviceTypes).
	DeviceType string `json:"device_type,omitempty"`
}

// JSON is the spec as a command record stores it.
func (s Spec) JSON() string {
	b, _ := json.Marshal(s) // a struct of strings and ints always marshals
	return string(b)
}

// ParseSpec reads the spec a record stores (Spec.JSON); what cannot be read gives the zero Spec.
func ParseSpec(raw string) Spec {
	var s Spec
	_ = json.Unmarshal([]byte(raw), &s) // a record is only ever written from a Spec
	return s
}

// deviceActions are the actions each device type takes (reference §7). Types not listed take none.
var deviceActions = map[string][]string{
	"lock":             {ActLock, ActUnlock},
	"switch":           {ActOn, ActOff},
	"siren":            {ActOn, ActOff},
	"garage_door":      {ActOpen, ActClose},
	"valve_controller": {ActOpen, ActClose},
	"dimmable_switch":  {ActLevel},
	"lightbulb":        {ActOn, ActOff, ActLevel},
	"access_panel":     {ActLock, ActUnlock}, // [INF]: its status has a lock's mode, so it takes a lock's verbs
	"thermostat":       {ActThermostat},
}

// DeviceActions are the actions a device of the type takes, in the order the page offers them; ok is false for a
// type that takes no commands.
func DeviceActions(deviceType string) (actions []string, ok bool) {
	actions, ok = deviceActions[deviceType]
	return slices.Clone(actions), ok
}

// hubActions are the hub commands of CONTRACT.md, in the order the page offers them.
var hubActions = []string{smarthome.HubRefresh, smarthome.HubReboot, smarthome.HubAddDevice, smarthome.HubRemoveDevice,
	smarthome.HubUpdateFirmware}

// HubActions are the hub commands a hub page offers, a copy the caller may keep.
func HubActions() []string { return slices.Clone(hubActions) }

// Wire builds the device command for s. The spec was validated when it was parsed from the form; an error here
// is the client's own check refusing it.
func (s Spec) Wire(deviceType string) (smarthome.Command, error) {
	switch s.Action {
	case ActLock, ActUnlock:
		if deviceType == "access_panel" {
			return smarthome.AccessPanelCommand(s.Action == ActLock), nil
		}
		return smarthome.LockCommand(s.Action == ActLock), nil
	case ActOn, ActOff:
		if deviceType == "siren" {
			return smarthome.SirenCommand(s.Action == ActOn), nil
		}
		return smarthome.SwitchCommand(s.Action == ActOn), nil
	case ActOpen, ActClose:
		if deviceType == "valve_controller" {
			return smarthome.ValveCommand(s.Action == ActOpen), nil
		}
		return smarthome.GarageDoorCommand(s.Action == ActOpen), nil
	case ActLevel:
		if s.Level == nil {
			return smarthome.Command{}, fmt.Errorf("level command without a level")
		}
		return smarthome.DimmerCommand(*s.Level)
	case ActThermostat:
		return smarthome.ThermostatCommand{Mode: s.Mode, HeatingSetpoint: s.Heating, CoolingSetpoint: s.Cooling,
			Fan: s.Fan}.Command()
	}
	return smarthome.Command{}, fmt.Errorf("action %q is not a device command", s.Action)
}

// Label is the one-line summary a card and the audit log show.
func (s Spec) Label() string {
	switch s.Action {
	case ActLock:
		return "Lock"
	case ActUnlock:
		return "Unlock"
	case ActOn:
		return "Turn on"
	case ActOff:
		return "Turn off"
	case ActOpen:
		return "Open"
	case ActClose:
		return "Close"
	case ActLevel:
		if s.Level != nil && *s.Level == 0 {
			return "Set level to 0% (off)"
		}
		if s.Level != nil {
			return "Set level to " + strconv.Itoa(*s.Level) + "%"
		}
	case ActThermostat:
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
		if s.DeviceType != "" {
			return "Add a device (inclusion): " + strings.ReplaceAll(s.DeviceType, "_", " ")
		}
		return "Add a device (inclusion)"
	case smarthome.HubRemoveDevice:
		return "Remove the device at node " + s.NodeID
	case smarthome.HubUpdateFirmware:
		return "Update firmware"
	case ActReset:
		return "Reset master code"
	}
	return s.Action
}

// AuditAction names the record's action in the audit log: device.lock, hub.reboot, hub.master_code_reset…
func (s Spec) AuditAction(device bool) string {
	if s.Action == ActReset {
		return "hub.master_code_reset"
	}
	if !device {
		return "hub." + s.Action
	}
	return "device." + s.Action
}

// HubWire builds the hub command for s.
func (s Spec) HubWire() smarthome.HubCommand {
	return smarthome.HubCommand{Command: s.Action, NodeID: s.NodeID, DeviceType: s.DeviceType}
}
