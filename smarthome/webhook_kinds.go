package smarthome

import "strings"

// EventKind is the normalised meaning of a webhook: "<family>.<what>". The upstream spells message types
// inconsistently (hub events lower snake_case, lock events Capitalised), so receivers switch on the kind and
// store the message type verbatim.
type EventKind string

// Kinds of the reference §16 catalogue. Rows 1, 3–6 are documented; the rest are our inferred spellings.
const (
	KindUnknown EventKind = "unknown"

	KindHubOnline        EventKind = "hub.online"
	KindHubOffline       EventKind = "hub.offline"
	KindHubHeartbeat     EventKind = "hub.heartbeat"
	KindHubPowerSource   EventKind = "hub.power_source"
	KindHubUnassigned    EventKind = "hub.unassigned"
	KindHubDeviceAdded   EventKind = "hub.device_added"
	KindHubDeviceRemoved EventKind = "hub.device_removed"

	KindDeviceOnline     EventKind = "device.online"
	KindDeviceOffline    EventKind = "device.offline"
	KindDeviceLowBattery EventKind = "device.low_battery"
	KindDeviceTamper     EventKind = "device.tamper"

	KindLockLocked      EventKind = "lock.locked"
	KindLockUnlocked    EventKind = "lock.unlocked"
	KindLockCodeAdded   EventKind = "lock.code_added"
	KindLockCodeDeleted EventKind = "lock.code_deleted"
	KindLockCodeFailed  EventKind = "lock.code_failed"
	KindLockJammed      EventKind = "lock.jammed"
	KindAccessDenied    EventKind = "access.denied"
	KindAccessGranted   EventKind = "access.granted"

	KindContactOpened  EventKind = "contact.opened"
	KindContactClosed  EventKind = "contact.closed"
	KindMotionDetected EventKind = "motion.detected"
	KindMotionCleared  EventKind = "motion.cleared"
	KindLeakDetected   EventKind = "leak.detected"
	KindLeakCleared    EventKind = "leak.cleared"
	KindSmokeDetected  EventKind = "smoke.detected"
	KindSmokeCleared   EventKind = "smoke.cleared"

	KindThermostatMode            EventKind = "thermostat.mode_changed"
	KindThermostatHeatingSetpoint EventKind = "thermostat.heating_setpoint_changed"
	KindThermostatCoolingSetpoint EventKind = "thermostat.cooling_setpoint_changed"
	KindThermostatFanMode         EventKind = "thermostat.fan_mode_changed"
	KindThermostatTemperature     EventKind = "thermostat.temperature_alert"

	KindSwitchOn           EventKind = "switch.on"
	KindSwitchOff          EventKind = "switch.off"
	KindDimmerLevelChanged EventKind = "dimmer.level_changed"
	KindGarageOpened       EventKind = "garage.opened"
	KindGarageClosed       EventKind = "garage.closed"
	KindValveOpened        EventKind = "valve.opened"
	KindValveClosed        EventKind = "valve.closed"
	KindDoorbellPressed    EventKind = "doorbell.pressed"
	KindSirenOn            EventKind = "siren.on"
	KindSirenOff           EventKind = "siren.off"
)

// anyDevice is the device-type wildcard of catalogue row 10 (online/offline of any device).
const anyDevice = "*"

type kindKey struct{ deviceType, messageType string }

// eventKinds is the one table keyed by (device_type, lower-cased message_type); correct it here when the live
// catalogue is at hand.
// Access panels share the lock-code rows: §14.2 gives them codes "as lock" (CONTRACT.md, Webhooks).
var eventKinds = buildKinds([]struct {
	types    []string
	messages []string
	kind     EventKind
}{
	{[]string{"hub"}, []string{"online"}, KindHubOnline},
	{[]string{"hub"}, []string{"offline"}, KindHubOffline},
	{[]string{"hub"}, []string{"heartbeat"}, KindHubHeartbeat},
	{[]string{"hub"}, []string{"power_source"}, KindHubPowerSource},
	{[]string{"hub"}, []string{"unassigned_from_account"}, KindHubUnassigned},
	{[]string{"hub"}, []string{"add_device"}, KindHubDeviceAdded},
	{[]string{"hub"}, []string{"remove_device"}, KindHubDeviceRemoved},
	{[]string{anyDevice}, []string{"online"}, KindDeviceOnline},
	{[]string{anyDevice}, []string{"offline"}, KindDeviceOffline},
	{[]string{"lock", "thermostat", "contact_sensor", "motion_sensor", "leakage_sensor", "smoke_alarm", "door_bell"},
		[]string{"low_battery"}, KindDeviceLowBattery},
	{[]string{"lock", "contact_sensor", "motion_sensor", "access_panel"}, []string{"tamper"}, KindDeviceTamper},
	{[]string{"lock"}, []string{"lock"}, KindLockLocked},
	{[]string{"lock"}, []string{"unlock"}, KindLockUnlocked},
	{[]string{"lock", "access_panel"}, []string{"lock_code_added"}, KindLockCodeAdded},
	{[]string{"lock", "access_panel"}, []string{"lock_code_deleted"}, KindLockCodeDeleted},
	{[]string{"lock", "access_panel"}, []string{"lock_code_failed"}, KindLockCodeFailed},
	{[]string{"lock"}, []string{"jammed"}, KindLockJammed},
	{[]string{"lock", "access_panel"}, []string{"access_denied"}, KindAccessDenied},
	{[]string{"access_panel"}, []string{"access_granted"}, KindAccessGranted},
	{[]string{"contact_sensor"}, []string{"door_open"}, KindContactOpened},
	{[]string{"contact_sensor"}, []string{"door_closed"}, KindContactClosed},
	{[]string{"motion_sensor"}, []string{"motion_detected"}, KindMotionDetected},
	{[]string{"motion_sensor"}, []string{"motion_cleared"}, KindMotionCleared},
	{[]string{"leakage_sensor"}, []string{"leak_detected"}, KindLeakDetected},
	{[]string{"leakage_sensor"}, []string{"leak_cleared"}, KindLeakCleared},
	{[]string{"smoke_alarm"}, []string{"smoke_detected"}, KindSmokeDetected},
	{[]string{"smoke_alarm"}, []string{"smoke_cleared"}, KindSmokeCleared},
	{[]string{"thermostat"}, []string{"thermostat_mode_changed"}, KindThermostatMode},
	{[]string{"thermostat"}, []string{"heating_setpoint_changed"}, KindThermostatHeatingSetpoint},
	{[]string{"thermostat"}, []string{"cooling_setpoint_changed"}, KindThermostatCoolingSetpoint},
	{[]string{"thermostat"}, []string{"fan_mode_changed"}, KindThermostatFanMode},
	{[]string{"thermostat"}, []string{"temperature_alert"}, KindThermostatTemperature},
	{[]string{"switch", "dimmable_switch", "lightbulb"}, []string{"switch_on"}, KindSwitchOn},
	{[]string{"switch", "dimmable_switch", "lightbulb"}, []string{"switch_off"}, KindSwitchOff},
	{[]string{"dimmable_switch", "lightbulb"}, []string{"dimmer_level_changed"}, KindDimmerLevelChanged},
	{[]string{"garage_door"}, []string{"garage_door_opened"}, KindGarageOpened},
	{[]string{"garage_door"}, []string{"garage_door_closed"}, KindGarageClosed},
	{[]string{"valve_controller"}, []string{"valve_opened"}, KindValveOpened},
	{[]string{"valve_controller"}, []string{"valve_closed"}, KindValveClosed},
	{[]string{"door_bell"}, []string{"doorbell_pressed"}, KindDoorbellPressed},
	{[]string{"siren"}, []string{"siren_on"}, KindSirenOn},
	{[]string{"siren"}, []string{"siren_off"}, KindSirenOff},
})

func buildKinds(rows []struct {
	types    []string
	messages []string
	kind     EventKind
}) map[kindKey]EventKind {
	m := make(map[kindKey]EventKind)
	for _, r := range rows {
		for _, t := range r.types {
			for _, msg := range r.messages {
				m[kindKey{t, msg}] = r.kind
			}
		}
	}
	return m
}

// KindOf looks a (device_type, message_type) pair up, ignoring the message type's case. An empty device type
// means the hub, as in EffectiveDeviceType for an event without a device. Unknown pairs are KindUnknown.
func KindOf(deviceType, messageType string) EventKind {
	msg := strings.ToLower(strings.TrimSpace(messageType))
	if deviceType == "" {
		deviceType = "hub"
	}
	if k, ok := eventKinds[kindKey{deviceType, msg}]; ok {
		return k
	}
	if deviceType != "hub" {
		if k, ok := eventKinds[kindKey{anyDevice, msg}]; ok {
			return k
		}
	}
	return KindUnknown
}

// Kind returns the kind of an event, using its effective device type; a device event without a device type can
// still match the catalogue rows that apply to any device.
func Kind(ev *Event) EventKind {
	t := ev.EffectiveDeviceType()
	if t == "" {
		if k, ok := eventKinds[kindKey{anyDevice, strings.ToLower(strings.TrimSpace(ev.MessageType))}]; ok {
			return k
		}
		return KindUnknown
	}
	return KindOf(t, ev.MessageType)
}
