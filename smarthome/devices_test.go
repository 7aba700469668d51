package smarthome

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDevicesEndpoints(t *testing.T) {
	t.Parallel()
	runEndpoints(t, []endpointCase{
		{
			name: "Get", method: "GET", path: "/api/devices/d1",
			reply: `{"id": "d1", "device_name": "lock-8", "device_type": "lock", "remote_device_id": 8, "last_activity": "1609489249",
				"property_id": null, "hub_id": "h1", "status": {"mode": {"type": "locked"}}, "brand_new_field": true}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Devices.Get(ctx, "d1") },
			want: &Device{ID: "d1", DeviceName: "lock-8", DeviceType: "lock", RemoteDeviceID: "8", LastActivity: 1609489249,
				HubID: "h1", Status: json.RawMessage(`{"mode": {"type": "locked"}}`)},
		},
		{
			name: "Update", method: "PUT", path: "/api/devices/d1",
			body:  `{"device_name": "Back door", "property_id": 101}`,
			reply: `{"id": "d1", "device_name": "Back door", "device_type": "lock", "property_id": 101}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Devices.Update(ctx, "d1", DeviceUpdate{DeviceName: Ptr("Back door"), PropertyID: Ptr(int64(101))})
			},
			want: &Device{ID: "d1", DeviceName: "Back door", DeviceType: "lock", PropertyID: Ptr(int64(101))},
		},
		{
			name: "Command lock", method: "PUT", path: "/api/devices/d1",
			body: `{"commands": {"mode": "lock"}}`, reply: `{"success": true, "message": "Success"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Devices.Command(ctx, "d1", LockCommand(true)))
			},
		},
		{
			name: "Command thermostat", method: "PUT", path: "/api/devices/t1",
			body:  `{"commands": {"mode": "auto", "heating_setpoint": 60, "cooling_setpoint": 80}, "settings": {"fan_on_mode": 30}}`,
			reply: `{"success": true, "message": "Success"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				cmd, err := ThermostatCommand{Mode: Ptr("auto"), HeatingSetpoint: Ptr(60), CoolingSetpoint: Ptr(80), FanOnMinutes: Ptr(30)}.Command()
				if err != nil {
					return nil, nil, err
				}
				return noValue(c.Devices.Command(ctx, "t1", cmd))
			},
		},
		{
			name: "DesiredActivities", method: "GET", path: "/api/devices/d1/desired_activities",
			query: url.Values{"events": {"Lock,Unlock"}, "from_date": {"11/23/2026"}, "to_date": {"11/29/2026"}},
			reply: `{"Lock": [{"message_type": "Lock", "details": 5, "user": "Auto", "activity_time": "2026-11-28T10:00:00Z"}], "Unlock": []}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Devices.DesiredActivities(ctx, "d1", ActivityQuery{
					From: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC),
					Events: []string{"Lock", "Unlock"},
				})
			},
			want: map[string][]DeviceActivity{
				"Lock":   {{MessageType: "Lock", Details: "5", User: "Auto", ActivityTime: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}},
				"Unlock": {},
			},
		},
	})
}

func TestDeviceCommandSuccessFalse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("PUT /api/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Device does not accept commands"}`)
	})
	_, err := f.client.Devices.Command(t.Context(), "leak-1", SwitchCommand(true))
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "Device does not accept commands") {
		t.Errorf("err = %v", err)
	}
}

func TestDeviceValidationSendsNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("an invalid request was sent: %s %s", r.Method, r.URL)
	})
	ctx := t.Context()
	checks := map[string]error{
		"empty command": func() error { _, err := f.client.Devices.Command(ctx, "d1", Command{}); return err }(),
		"bad mode":      func() error { _, err := f.client.Devices.Command(ctx, "d1", modeCommand("explode")); return err }(),
		"empty update":  func() error { _, _, err := f.client.Devices.Update(ctx, "d1", DeviceUpdate{}); return err }(),
		"empty name": func() error {
			_, _, err := f.client.Devices.Update(ctx, "d1", DeviceUpdate{DeviceName: Ptr("")})
			return err
		}(),
		"activities no ev": func() error { _, _, err := f.client.Devices.DesiredActivities(ctx, "d1", ActivityQuery{}); return err }(),
		"empty id":         func() error { _, _, err := f.client.Devices.Get(ctx, ""); return err }(),
	}
	for name, err := range checks {
		if !errorsIsValidation(err) {
			t.Errorf("%s: err = %v, want ErrValidation", name, err)
		}
	}
}

func TestDeviceStatusAccessors(t *testing.T) {
	t.Parallel()
	var set DeviceSet
	if err := json.Unmarshal([]byte(readTestdata(t, "hub_devices.json")), &set); err != nil {
		t.Fatalf("decoding devices (an unknown type must not fail): %v", err)
	}
	lock := set["lock"][0]
	ls, err := lock.LockStatus()
	if err != nil || !ls.Locked() || ls.Battery != 90 || ls.BatteryZWave != 88 || ls.MaxSlots != 250 || ls.ZWaveSignal != 3 {
		t.Errorf("LockStatus = %s, %v", dump(ls), err)
	}
	if len(ls.Codes) != 2 || ls.Codes["1"] != nil || ls.Codes["2"].Reveal() != "482913" {
		t.Errorf("codes = %s", dump(ls.Codes))
	}
	if got := ls.Codes.String(); got != "CodeSlots(1 of 2 used: 2)" {
		t.Errorf("CodeSlots.String() = %q", got)
	}
	if lock.LastActivity != 1609489249 || lock.RemoteDeviceID != "8" || lock.PropertyID == nil || *lock.PropertyID != 101 || lock.TwoWayPowerSource != nil {
		t.Errorf("lock = %s", dump(lock))
	}

	th := set["thermostat"][0]
	ts, err := th.ThermostatStatus()
	if err != nil || ts.Mode != "cool" || ts.RoomTemp != 74 || ts.HeatingSetpoint != 68 || ts.CoolingSetpoint != 75 ||
		ts.OperatingState != "Pending_Cool" || ts.AgentID != 12 || ts.OccupantID != 0 {
		t.Errorf("ThermostatStatus = %s, %v", dump(ts), err)
	}
	var settings struct {
		Schedule string `json:"schedule"`
	}
	json.Unmarshal(th.Settings, &settings)
	if id, since, err := ParseThermostatSchedule(settings.Schedule); err != nil || id != ts.ScheduleID || since.Year() != 2022 {
		t.Errorf("schedule = %q %v %v", id, since, err)
	}
	if th.RoomHumidity != "41" {
		t.Errorf("room_humidity = %q", th.RoomHumidity)
	}

	if sw, err := set["switch"][0].SwitchStatus(); err != nil || sw.Mode != "on" || sw.PowerSource != "main" {
		t.Errorf("SwitchStatus = %s, %v", dump(sw), err)
	}
	if dm, err := set["dimmable_switch"][0].DimmerStatus(); err != nil || dm.Mode != "on" || dm.Power != 40 {
		t.Errorf("DimmerStatus = %s, %v", dump(dm), err)
	}
	if ss, err := set["leakage_sensor"][0].SensorStatus(); err != nil || ss.Leakage != "no" || ss.Battery != 77 {
		t.Errorf("SensorStatus = %s, %v", dump(ss), err)
	}

	// Wrong type, unknown type, missing status: errors, never panics.
	holo := set["hologram_projector"][0]
	if !strings.Contains(string(holo.Status), "colour") {
		t.Errorf("unknown device status not kept raw: %s", holo.Status)
	}
	for name, err := range map[string]error{
		"lock as thermostat": func() error { _, err := lock.ThermostatStatus(); return err }(),
		"unknown as lock":    func() error { _, err := holo.LockStatus(); return err }(),
		"no status":          func() error { _, err := (&Device{DeviceType: "switch"}).SwitchStatus(); return err }(),
		"bad status": func() error {
			_, err := (&Device{DeviceType: "switch", Status: json.RawMessage(`{"zwave_signal": 1.5}`)}).SwitchStatus()
			return err
		}(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, typ := range []string{"contact_sensor", "motion_sensor", "smoke_alarm"} {
		d := Device{DeviceType: typ, Status: json.RawMessage(`{"contact": "open", "motion": "yes", "smoke": "no", "tamper": true, "battery": "55"}`)}
		if s, err := d.SensorStatus(); err != nil || s.Tamper == nil || !*s.Tamper || s.Battery != 55 {
			t.Errorf("%s: %s, %v", typ, dump(s), err)
		}
	}
	for _, typ := range []string{"garage_door", "valve_controller", "siren"} {
		d := Device{DeviceType: typ, Status: json.RawMessage(`{"mode": "open"}`)}
		if s, err := d.SwitchStatus(); err != nil || s.Mode != "open" {
			t.Errorf("%s: %s, %v", typ, dump(s), err)
		}
	}
	if _, err := (&Device{DeviceType: "access_panel", Status: json.RawMessage(`{"mode": {"type": "unlocked"}}`)}).LockStatus(); err != nil {
		t.Errorf("access panel: %v", err)
	}
	if _, err := (&Device{DeviceType: "lightbulb", Status: json.RawMessage(`{"mode": "off", "power": 0}`)}).DimmerStatus(); err != nil {
		t.Errorf("lightbulb: %v", err)
	}
}
