package ingest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// liveChange says what a webhook tells the mirror (reference §16): hub connectivity, heartbeat and power, device
// reachability, battery and alerts, and the status keys the device's state panel reads, in the vocabulary the
// upstream's status objects use. Events that change nothing the mirror keeps (code added, access denied, unknown
// types...) give nil. Lock codes are never part of it: webhooks carry no PIN.
func liveChange(ev *smarthome.Event, kind smarthome.EventKind, deviceType string) *db.LiveChange {
	c := &db.LiveChange{HubID: ev.HubID, DeviceID: ev.DeviceID, At: ev.ActivityTime.Time}
	details := strings.ToLower(strings.TrimSpace(ev.DetailsString()))
	state := func(key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			return
		}
		if c.State == nil {
			c.State = map[string]json.RawMessage{}
		}
		c.State[key] = b
	}
	switch kind {
	case smarthome.KindHubOnline:
		c.HubOnline = ptrTo(true)
	case smarthome.KindHubOffline:
		c.HubOnline = ptrTo(false)
	case smarthome.KindHubHeartbeat:
		c.Heartbeat = true
	case smarthome.KindHubPowerSource:
		if details != "battery" && details != "external" { // the documented literal "battery/external" says neither
			return nil
		}
		c.PowerSource = &details
	case smarthome.KindDeviceOnline:
		c.DeviceOnline = ptrTo(true)
	case smarthome.KindDeviceOffline:
		c.DeviceOnline = ptrTo(false)
	case smarthome.KindDeviceLowBattery:
		n, err := strconv.Atoi(details)
		if err != nil || n < 0 || n > 100 {
			return nil
		}
		c.Battery = &n
	case smarthome.KindDeviceTamper:
		c.Alert = ptrTo(db.AlertTamper)
		if deviceType == "contact_sensor" || deviceType == "motion_sensor" {
			state("tamper", true)
		}
	case smarthome.KindLockLocked:
		state("mode", map[string]string{"type": "locked"})
		c.ClearAlert = db.AlertJammed
	case smarthome.KindLockUnlocked:
		state("mode", map[string]string{"type": "unlocked"})
		c.ClearAlert = db.AlertJammed
	case smarthome.KindLockJammed:
		state("mode", map[string]string{"type": "jammed"})
		c.Alert = ptrTo(db.AlertJammed)
	case smarthome.KindLeakDetected, smarthome.KindLeakCleared:
		alarm(c, kind == smarthome.KindLeakDetected, db.AlertLeak)
		state("leakage", yesNo(kind == smarthome.KindLeakDetected))
	case smarthome.KindSmokeDetected, smarthome.KindSmokeCleared:
		alarm(c, kind == smarthome.KindSmokeDetected, db.AlertSmoke)
		state("smoke", yesNo(kind == smarthome.KindSmokeDetected))
	case smarthome.KindContactOpened, smarthome.KindContactClosed:
		state("contact", map[bool]string{true: "open", false: "closed"}[kind == smarthome.KindContactOpened])
	case smarthome.KindMotionDetected, smarthome.KindMotionCleared:
		state("motion", yesNo(kind == smarthome.KindMotionDetected))
	case smarthome.KindSwitchOn, smarthome.KindSirenOn:
		state("mode", "on")
	case smarthome.KindSwitchOff, smarthome.KindSirenOff:
		state("mode", "off")
	case smarthome.KindGarageOpened, smarthome.KindValveOpened:
		state("mode", "open")
	case smarthome.KindGarageClosed, smarthome.KindValveClosed:
		state("mode", "closed")
	case smarthome.KindThermostatMode, smarthome.KindThermostatFanMode:
		if details == "" {
			return nil
		}
		state(map[smarthome.EventKind]string{smarthome.KindThermostatMode: "mode", smarthome.KindThermostatFanMode: "fan"}[kind], details)
	case smarthome.KindThermostatHeatingSetpoint, smarthome.KindThermostatCoolingSetpoint, smarthome.KindThermostatTemperature,
		smarthome.KindDimmerLevelChanged:
		n, err := strconv.Atoi(details)
		if err != nil {
			return nil
		}
		state(numericKeys[kind], n)
	case smarthome.KindDoorbellPressed:
		state("last_pressed", ev.ActivityTime.UTC().Format(time.RFC3339))
	default:
		return nil
	}
	if c.DeviceID == "" && (c.DeviceOnline != nil || c.Battery != nil || c.Alert != nil || c.State != nil) {
		return nil // a device event without a device id: nothing in the mirror to change
	}
	return c
}

// numericKeys are the status keys of the events whose details are a number.
var numericKeys = map[smarthome.EventKind]string{
	smarthome.KindThermostatHeatingSetpoint: "heating_setpoint",
	smarthome.KindThermostatCoolingSetpoint: "cooling_setpoint",
	smarthome.KindThermostatTemperature:     "room_temp",
	smarthome.KindDimmerLevelChanged:        "power",
}

// alarm raises or clears one alert.
func alarm(c *db.LiveChange, on bool, alert string) {
	if on {
		c.Alert = &alert
	} else {
		c.ClearAlert = alert
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ptrTo[T any](v T) *T { return &v }
