package handlers

import (
	"cmp"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// eventLabels name each catalogue kind in words, with the tone of its badge ("" neutral, ok, warn, danger).
var eventLabels = map[smarthome.EventKind][2]string{
	smarthome.KindHubOnline:                 {"Hub online", "ok"},
	smarthome.KindHubOffline:                {"Hub offline", "danger"},
	smarthome.KindHubHeartbeat:              {"Heartbeat", ""},
	smarthome.KindHubPowerSource:            {"Power source", "warn"},
	smarthome.KindHubUnassigned:             {"Hub unassigned", "warn"},
	smarthome.KindHubDeviceAdded:            {"Device added", ""},
	smarthome.KindHubDeviceRemoved:          {"Device removed", ""},
	smarthome.KindDeviceOnline:              {"Online", "ok"},
	smarthome.KindDeviceOffline:             {"Offline", "danger"},
	smarthome.KindDeviceLowBattery:          {"Low battery", "warn"},
	smarthome.KindDeviceTamper:              {"Tamper", "warn"},
	smarthome.KindLockLocked:                {"Locked", "ok"},
	smarthome.KindLockUnlocked:              {"Unlocked", ""},
	smarthome.KindLockCodeAdded:             {"Code added", ""},
	smarthome.KindLockCodeDeleted:           {"Code removed", ""},
	smarthome.KindLockCodeFailed:            {"Code failed", "danger"},
	smarthome.KindLockJammed:                {"Jammed", "danger"},
	smarthome.KindAccessDenied:              {"Access denied", "warn"},
	smarthome.KindAccessGranted:             {"Access granted", "ok"},
	smarthome.KindContactOpened:             {"Opened", ""},
	smarthome.KindContactClosed:             {"Closed", ""},
	smarthome.KindMotionDetected:            {"Motion", ""},
	smarthome.KindMotionCleared:             {"Motion ended", ""},
	smarthome.KindLeakDetected:              {"Leak detected", "danger"},
	smarthome.KindLeakCleared:               {"Leak cleared", "ok"},
	smarthome.KindSmokeDetected:             {"Smoke detected", "danger"},
	smarthome.KindSmokeCleared:              {"Smoke cleared", "ok"},
	smarthome.KindThermostatMode:            {"Mode changed", ""},
	smarthome.KindThermostatHeatingSetpoint: {"Heating setpoint", ""},
	smarthome.KindThermostatCoolingSetpoint: {"Cooling setpoint", ""},
	smarthome.KindThermostatFanMode:         {"Fan mode", ""},
	smarthome.KindThermostatTemperature:     {"Temperature alert", "warn"},
	smarthome.KindSwitchOn:                  {"Turned on", ""},
	smarthome.KindSwitchOff:                 {"Turned off", ""},
	smarthome.KindDimmerLevelChanged:        {"Dimmer level", ""},
	smarthome.KindGarageOpened:              {"Garage opened", ""},
	smarthome.KindGarageClosed:              {"Garage closed", ""},
	smarthome.KindValveOpened:               {"Valve opened", ""},
	smarthome.KindValveClosed:               {"Valve closed", "warn"},
	smarthome.KindDoorbellPressed:           {"Doorbell", ""},
	smarthome.KindSirenOn:                   {"Siren on", "danger"},
	smarthome.KindSirenOff:                  {"Siren off", ""},
}

// eventLabel is what a row says happened; an event outside the catalogue shows its message type.
func eventLabel(kind, messageType string) (label, tone string) {
	if l, ok := eventLabels[smarthome.EventKind(kind)]; ok {
		return l[0], l[1]
	}
	return cmp.Or(humanizeType(messageType), "Unknown event"), ""
}

// humanizeType turns "lock_code_added" into "Lock code added" for types outside the catalogue.
func humanizeType(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// activityRowData formats an activity for the log, the live feeds and the SSE push, in its property's zone. The
// device goes by the mirror's name, as on its own page: deliveries often omit device_name or carry an old one (the
// detail page shows what was delivered).
func activityRowData(a db.ActivityView) views.ActivityRowData {
	row := views.ActivityRowData{ID: strconv.FormatInt(a.ID, 10), HubID: a.HubID, HubName: cmp.Or(a.HomeName, a.SerialNo),
		DeviceID: a.DeviceID, DeviceName: cmp.Or(a.MirrorDeviceName, a.DeviceName, a.DeviceID), DeviceType: a.DeviceType,
		TypeInferred: a.TypeInferred, MessageType: a.MessageType, Details: a.Details, Who: a.Actor, Person: a.Person,
		PropertyName: a.PropertyName, Unverified: !a.Verified, FromInbox: a.Reprocessed, Held: a.Held,
		DetailsNumber: a.DetailsJSON != "" && a.DetailsJSON[0] != '"' && a.DetailsJSON[0] != '{' && a.DetailsJSON[0] != '['}
	if a.PropertyID != nil {
		row.PropertyID = strconv.FormatInt(*a.PropertyID, 10)
	}
	row.Event, row.Tone = eventLabel(a.Kind, a.MessageType)
	row.When, row.WhenISO = localTimes(&a.At, tz.Load(a.TimeZone))
	return row
}
