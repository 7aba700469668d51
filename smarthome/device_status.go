package smarthome

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// LockStatus is the status of a lock or access panel.
type LockStatus struct {
	Mode          LockMode        `json:"mode"`
	Codes         CodeSlots       `json:"codes"`
	Battery       FlexInt         `json:"battery"`
	BatteryZWave  FlexInt         `json:"battery_zwave"`
	MaxSlots      FlexInt         `json:"max_slots"`
	PowerSource   string          `json:"power_source"`
	ZWaveSignal   FlexInt         `json:"zwave_signal"`
	SettingErrors json.RawMessage `json:"setting_errors,omitempty"` // {"lock_codes": {"<id>": …}}
}

// LockMode is a lock's {"type": "locked" | "unlocked"} object.
type LockMode struct {
	Type string `json:"type"`
}

// Locked reports whether the lock says it is locked.
func (s LockStatus) Locked() bool { return s.Mode.Type == "locked" }

// CodeSlots maps a lock's slot numbers to the PIN in each (nil: empty). It holds secrets: its String shows only
// which slots are used.
type CodeSlots map[string]*PIN

// String lists the used slots without their PINs.
func (c CodeSlots) String() string {
	used := make([]string, 0, len(c))
	for slot, pin := range c {
		if pin != nil && *pin != "" {
			used = append(used, slot)
		}
	}
	slices.Sort(used)
	return fmt.Sprintf("CodeSlots(%d of %d used: %s)", len(used), len(c), strings.Join(used, ","))
}

// ThermostatStatus is the status of a thermostat; temperatures are °F.
type ThermostatStatus struct {
	Mode            string  `json:"mode"` // off, heat, cool, auto
	Fan             string  `json:"fan"`  // auto, on
	RoomTemp        FlexInt `json:"room_temp"`
	HeatingSetpoint FlexInt `json:"heating_setpoint"`
	CoolingSetpoint FlexInt `json:"cooling_setpoint"`
	OperatingState  string  `json:"operating_state"`
	Source          string  `json:"source"`
	Battery         FlexInt `json:"battery"`
	BatteryZWave    FlexInt `json:"battery_zwave"`
	AgentID         FlexInt `json:"agent_id"`
	OccupantID      FlexInt `json:"occupant_id"`
	ScheduleID      string  `json:"schedule_id"`
	HoldUntil       string  `json:"hold_until"` // ISO-8601
	PowerSource     string  `json:"power_source"`
	ZWaveSignal     FlexInt `json:"zwave_signal"`
}

// SwitchStatus is the status of a device whose state is a mode word: switch (on/off), garage door
// (open/closed/opening/closing), valve controller (open/closed), siren (on/off).
type SwitchStatus struct {
	Mode        string  `json:"mode"`
	Source      string  `json:"source"`
	HoldUntil   string  `json:"hold_until"`
	PowerSource string  `json:"power_source"`
	ZWaveSignal FlexInt `json:"zwave_signal"`
}

// DimmerStatus is the status of a dimmable switch or light bulb.
type DimmerStatus struct {
	SwitchStatus
	Power FlexInt `json:"power"` // 0–100
}

// SensorStatus is the status of a read-only sensor; only the keys of its type are set.
type SensorStatus struct {
	Leakage     string  `json:"leakage"` // leakage_sensor: "yes"/"no"
	Contact     string  `json:"contact"` // contact_sensor: "open"/"closed"
	Motion      string  `json:"motion"`  // motion_sensor: "yes"/"no"
	Smoke       string  `json:"smoke"`   // smoke_alarm: "yes"/"no"
	Tamper      *bool   `json:"tamper"`
	Battery     FlexInt `json:"battery"`
	ZWaveSignal FlexInt `json:"zwave_signal"`
}

// The device types each typed status accessor accepts.
var (
	lockTypes       = []string{"lock", "access_panel"}
	thermostatTypes = []string{"thermostat"}
	switchTypes     = []string{"switch", "garage_door", "valve_controller", "siren"}
	dimmerTypes     = []string{"dimmable_switch", "lightbulb"}
	sensorTypes     = []string{"leakage_sensor", "contact_sensor", "motion_sensor", "smoke_alarm"}
)

// LockStatus decodes the status of a lock or access panel.
func (d *Device) LockStatus() (LockStatus, error) {
	var s LockStatus
	return s, d.decodeStatus(lockTypes, &s)
}

// ThermostatStatus decodes the status of a thermostat.
func (d *Device) ThermostatStatus() (ThermostatStatus, error) {
	var s ThermostatStatus
	return s, d.decodeStatus(thermostatTypes, &s)
}

// SwitchStatus decodes the status of a switch, garage door, valve controller or siren.
func (d *Device) SwitchStatus() (SwitchStatus, error) {
	var s SwitchStatus
	return s, d.decodeStatus(switchTypes, &s)
}

// DimmerStatus decodes the status of a dimmable switch or light bulb.
func (d *Device) DimmerStatus() (DimmerStatus, error) {
	var s DimmerStatus
	return s, d.decodeStatus(dimmerTypes, &s)
}

// SensorStatus decodes the status of a leakage, contact, motion or smoke sensor.
func (d *Device) SensorStatus() (SensorStatus, error) {
	var s SensorStatus
	return s, d.decodeStatus(sensorTypes, &s)
}

func (d *Device) decodeStatus(types []string, dst any) error {
	if !slices.Contains(types, d.DeviceType) {
		return fmt.Errorf("smarthome: device %s is a %q, not one of %s", d.ID, d.DeviceType, strings.Join(types, ", "))
	}
	if len(d.Status) == 0 || string(d.Status) == "null" {
		return fmt.Errorf("smarthome: device %s has no status", d.ID)
	}
	if err := json.Unmarshal(d.Status, dst); err != nil {
		return fmt.Errorf("smarthome: device %s status: %w", d.ID, err)
	}
	return nil
}
