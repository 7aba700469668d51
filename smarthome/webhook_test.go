package smarthome

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	barryHub     = "78bf6b20-9f5f-4564-8cd0-bd0f07ab0ca9"
	barryHome    = "30011, 5310 West Barry Avenue Common Door"
	barryAddress = "5310 West Barry Avenue Common Door, Chicago, IL, 60641"
)

var exampleTime = time.UnixMilli(1546862518845).UTC() // 2019-01-07 12:01:58.845 UTC

func barry(messageType, deviceType, details string) Event {
	return Event{HubID: barryHub, HomeName: barryHome, SerialNo: "30011", Address: barryAddress, PMSDatapullID: "Rently02|221",
		DeviceType: deviceType, MessageType: messageType, Details: json.RawMessage(details), ActivityTime: ActivityTime{exampleTime}}
}

// TestParseEventGolden parses every documented example (testdata/webhooks) and checks every field.
func TestParseEventGolden(t *testing.T) {
	t.Parallel()
	lock := barry("Lock", "lock", "")
	lock.Details, lock.DeviceID, lock.DeviceName, lock.User = nil, "af84cf4a-6051-4653-9f01-0a868d4dd0c9", "lock-8", "Auto"
	tests := []struct {
		file          string
		want          Event
		kind          EventKind
		effectiveType string
		details       string
	}{
		{
			file: "hub_online.json",
			want: Event{HubID: "8a3fc595-a355-4fc0-bac2-5e9143a885d8", HomeName: "76657", SerialNo: "76657", DeviceType: "hub",
				MessageType: "online", Details: json.RawMessage(`"Online"`),
				ActivityTime: ActivityTime{time.Date(2023, 9, 25, 3, 24, 53, 0, time.UTC)}},
			kind: KindHubOnline, effectiveType: "hub", details: "Online",
		},
		{"hub_heartbeat.json", barry("heartbeat", "hub", `"2020-09-10T09:24:44.657Z"`), KindHubHeartbeat, "hub", "2020-09-10T09:24:44.657Z"},
		{"hub_power_source.json", barry("power_source", "hub", `"battery/external"`), KindHubPowerSource, "hub", "battery/external"},
		{"hub_power_source_no_device_type.json", barry("power_source", "", `"battery/external"`), KindHubPowerSource, "hub", "battery/external"},
		{"hub_unassigned_from_account.json", barry("unassigned_from_account", "hub", `5`), KindHubUnassigned, "hub", "5"},
		{"lock.json", lock, KindLockLocked, "lock", ""},
	}
	files, _ := filepath.Glob("testdata/webhooks/*.json")
	if len(files) != len(tests) {
		t.Errorf("%d example files, %d golden cases: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", "webhooks", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := ParseEvent(body)
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			if !bytes.Equal(ev.Raw, body) {
				t.Error("Raw differs from the delivered bytes")
			}
			if ev.Extra != nil {
				t.Errorf("Extra = %v, want none for a documented example", ev.Extra)
			}
			got := *ev
			got.Raw = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("event = %s\nwant    %s", dump(got), dump(tt.want))
			}
			if got := Kind(ev); got != tt.kind {
				t.Errorf("Kind = %q, want %q", got, tt.kind)
			}
			if got := ev.EffectiveDeviceType(); got != tt.effectiveType {
				t.Errorf("EffectiveDeviceType = %q, want %q", got, tt.effectiveType)
			}
			if got := ev.DetailsString(); got != tt.details {
				t.Errorf("DetailsString = %q, want %q", got, tt.details)
			}
			if ev.ActivityTime.Location() != time.UTC {
				t.Errorf("activity_time not UTC: %v", ev.ActivityTime)
			}
		})
	}
}

func TestParseEventKeepsUnknownFields(t *testing.T) {
	t.Parallel()
	body := []byte(`{"hub_id": "h1", "message_type": "lock_code_added", "device_type": "lock", "device_id": "d1",
		"details": 2, "User": "Jane Doe", "activity_time": "1546862518845", "user": "lower", "battery": {"level": 15},
		"serial_no": 30011, "home_name": 76657}`)
	ev, err := ParseEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	wantExtra := map[string]json.RawMessage{"user": json.RawMessage(`"lower"`), "battery": json.RawMessage(`{"level": 15}`)}
	if !reflect.DeepEqual(ev.Extra, wantExtra) {
		t.Errorf("Extra = %s", dump(ev.Extra))
	}
	if ev.User != "Jane Doe" || ev.SerialNo != "30011" || ev.HomeName != "76657" || ev.DetailsString() != "2" {
		t.Errorf("event = %s", dump(ev))
	}
	if !ev.ActivityTime.Equal(exampleTime) {
		t.Errorf("digit-string activity_time = %v", ev.ActivityTime)
	}
	if Kind(ev) != KindLockCodeAdded {
		t.Errorf("Kind = %q", Kind(ev))
	}
}

func TestParseEventRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", ``, "not a JSON object"},
		{"array", `[{"hub_id": "h"}]`, "not a JSON object"},
		{"string", `"hub"`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"truncated", `{"hub_id": "h1", "message_type": "online", `, "unexpected end"},
		{"trailing garbage", `{"hub_id": "h1"} x`, "invalid character"},
		{"no hub_id", `{"message_type": "online", "activity_time": 1}`, "hub_id is missing"},
		{"empty hub_id", `{"hub_id": "", "message_type": "online", "activity_time": 1}`, "hub_id is missing"},
		{"hub_id object", `{"hub_id": {"id": 1}, "message_type": "online", "activity_time": 1}`, "hub_id: want a string"},
		{"no message_type", `{"hub_id": "h1", "activity_time": 1}`, "message_type is missing"},
		{"no activity_time", `{"hub_id": "h1", "message_type": "online"}`, "activity_time is missing"},
		{"null activity_time", `{"hub_id": "h1", "message_type": "online", "activity_time": null}`, "activity_time is null"},
		{"bad activity_time", `{"hub_id": "h1", "message_type": "online", "activity_time": "yesterday"}`, "activity_time"},
		{"iso activity_time", `{"hub_id": "h1", "message_type": "online", "activity_time": "2023-09-25T03:24:53Z"}`, "want epoch milliseconds"},
		{"fractional ms", `{"hub_id": "h1", "message_type": "online", "activity_time": 1546862518845.5}`, "activity_time"},
		{"bool User", `{"hub_id": "h1", "message_type": "Lock", "User": true, "activity_time": 1}`, "User: want a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := ParseEvent([]byte(tt.body))
			if err == nil || ev != nil {
				t.Fatalf("ParseEvent = %v, %v; want an error", ev, err)
			}
			if !errors.Is(err, ErrBadEvent) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want ErrBadEvent mentioning %q", err, tt.want)
			}
		})
	}
}

func TestDetailsString(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		``: "", `null`: "", `"Online"`: "Online", `5`: "5", `-1.5e3`: "-1.5e3", `"a\"b"`: `a"b`,
		`{"slot": 2}`: `{"slot":2}`, `[1, 2]`: `[1,2]`, `true`: "true",
	}
	for raw, want := range tests {
		ev := Event{Details: json.RawMessage(raw)}
		if got := ev.DetailsString(); got != want {
			t.Errorf("DetailsString(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestKindTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deviceType, messageType string
		want                    EventKind
	}{
		{"hub", "ONLINE", KindHubOnline},
		{"hub", "offline", KindHubOffline},
		{"", "heartbeat", KindHubHeartbeat},
		{"hub", "add_device", KindHubDeviceAdded},
		{"hub", "remove_device", KindHubDeviceRemoved},
		{"lock", "Lock", KindLockLocked},
		{"lock", "unlock", KindLockUnlocked},
		{"lock", "online", KindDeviceOnline},
		{"repeater", "offline", KindDeviceOffline},
		{"thermostat", "low_battery", KindDeviceLowBattery},
		{"switch", "low_battery", KindUnknown},
		{"access_panel", "tamper", KindDeviceTamper},
		{"lock", "lock_code_deleted", KindLockCodeDeleted},
		{"lock", "lock_code_failed", KindLockCodeFailed},
		{"lock", "jammed", KindLockJammed},
		{"access_panel", "access_denied", KindAccessDenied},
		{"access_panel", "access_granted", KindAccessGranted},
		{"contact_sensor", "door_open", KindContactOpened},
		{"contact_sensor", "door_closed", KindContactClosed},
		{"motion_sensor", "motion_detected", KindMotionDetected},
		{"motion_sensor", "motion_cleared", KindMotionCleared},
		{"leakage_sensor", "leak_detected", KindLeakDetected},
		{"leakage_sensor", "leak_cleared", KindLeakCleared},
		{"smoke_alarm", "smoke_detected", KindSmokeDetected},
		{"smoke_alarm", "smoke_cleared", KindSmokeCleared},
		{"thermostat", "thermostat_mode_changed", KindThermostatMode},
		{"thermostat", "heating_setpoint_changed", KindThermostatHeatingSetpoint},
		{"thermostat", "cooling_setpoint_changed", KindThermostatCoolingSetpoint},
		{"thermostat", "fan_mode_changed", KindThermostatFanMode},
		{"thermostat", "temperature_alert", KindThermostatTemperature},
		{"lightbulb", "switch_on", KindSwitchOn},
		{"dimmable_switch", "switch_off", KindSwitchOff},
		{"lightbulb", "dimmer_level_changed", KindDimmerLevelChanged},
		{"garage_door", "garage_door_opened", KindGarageOpened},
		{"garage_door", "garage_door_closed", KindGarageClosed},
		{"valve_controller", "valve_opened", KindValveOpened},
		{"valve_controller", "valve_closed", KindValveClosed},
		{"door_bell", "doorbell_pressed", KindDoorbellPressed},
		{"siren", "siren_on", KindSirenOn},
		{"siren", "siren_off", KindSirenOff},
		{"hub", "Lock", KindUnknown},
		{"toaster", "popped", KindUnknown},
	}
	for _, tt := range tests {
		if got := KindOf(tt.deviceType, tt.messageType); got != tt.want {
			t.Errorf("KindOf(%q, %q) = %q, want %q", tt.deviceType, tt.messageType, got, tt.want)
		}
	}
	// A device event without device_type still matches the any-device rows, and nothing else.
	if k := Kind(&Event{DeviceID: "d1", MessageType: "Offline"}); k != KindDeviceOffline {
		t.Errorf("device offline without type: %q", k)
	}
	if k := Kind(&Event{DeviceID: "d1", MessageType: "Lock"}); k != KindUnknown {
		t.Errorf("Lock without type: %q", k)
	}
}

func TestActivityTimeMarshal(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(ActivityTime{exampleTime})
	if err != nil || string(b) != "1546862518845" {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}
