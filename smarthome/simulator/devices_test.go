package simulator

import (
	"fmt"
	"testing"
	"time"
)

func TestDeviceStatusShapes(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	tests := []struct {
		deviceType string
		keys       []string
	}{
		{"lock", []string{"mode", "codes", "battery", "battery_zwave", "max_slots", "power_source", "zwave_signal", "setting_errors"}},
		{"thermostat", []string{"mode", "fan", "room_temp", "heating_setpoint", "cooling_setpoint", "operating_state", "source",
			"battery", "battery_zwave", "agent_id", "occupant_id", "schedule_id", "hold_until", "power_source", "zwave_signal"}},
		{"leakage_sensor", []string{"leakage", "battery", "zwave_signal"}},
	}
	for _, tt := range tests {
		t.Run(tt.deviceType, func(t *testing.T) {
			var d map[string]any
			e.call("GET", "/api/devices/"+e.firstOf(tt.deviceType).ID, agent, nil, 200, &d)
			st := d["status"].(map[string]any)
			for _, k := range tt.keys {
				if _, present := st[k]; !present {
					t.Errorf("status lacks %q: %v", k, st)
				}
			}
			for _, k := range []string{"id", "device_name", "occupant_setting", "device_type", "iot_thing_name",
				"remote_device_id", "zwave_security", "model_number", "shared_area", "location", "power_source",
				"topic_name", "last_activity", "manufacturer", "product_name", "settings", "log_mindate", "hub_id", "property_id"} {
				if _, present := d[k]; !present {
					t.Errorf("device lacks %q", k)
				}
			}
			if tt.deviceType == "lock" {
				if mode := st["mode"].(map[string]any); mode["type"] != "locked" && mode["type"] != "unlocked" {
					t.Errorf("lock mode %v", mode)
				}
				if _, ok := st["setting_errors"].(map[string]any)["lock_codes"]; !ok {
					t.Errorf("setting_errors %v", st["setting_errors"])
				}
				if d["auto_lock_config"].(map[string]any)["auto_lock_timer"] != "60" {
					t.Errorf("auto_lock_config %v", d["auto_lock_config"])
				}
			}
		})
	}
}

func TestDeviceCommandValidation(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock, thermo, leak := e.firstOf("lock").ID, e.firstOf("thermostat").ID, e.firstOf("leakage_sensor").ID
	e.with(func(st *state) { st.Devices[thermo].HeatSetpoint, st.Devices[thermo].CoolSetpoint = 68, 76 })
	tests := []struct {
		name   string
		device string
		body   string
		want   int
	}{
		{"lock", lock, `{"commands":{"mode":"lock"}}`, 200},
		{"unlock", lock, `{"commands":{"mode":"unlock"}}`, 200},
		{"lock bad verb", lock, `{"commands":{"mode":"open"}}`, 422},
		{"lock unknown command", lock, `{"commands":{"power":3}}`, 422},
		{"empty commands", lock, `{"commands":{}}`, 422},
		{"read-only device", leak, `{"commands":{"mode":"on"}}`, 422},
		{"thermostat cool", thermo, `{"commands":{"mode":"cool","cooling_setpoint":75}}`, 200},
		{"thermostat auto", thermo, `{"commands":{"mode":"auto","heating_setpoint":60,"cooling_setpoint":80}}`, 200},
		{"thermostat setpoint variant", thermo, `{"commands":{"mode":"heat","setpoint":70}}`, 200},
		{"setpoint variant needs heat or cool", thermo, `{"commands":{"mode":"auto","setpoint":70}}`, 422},
		{"setpoint too low", thermo, `{"commands":{"heating_setpoint":49}}`, 422},
		{"setpoint too high", thermo, `{"commands":{"cooling_setpoint":91}}`, 422},
		{"heating within 3 of current cooling", thermo, `{"commands":{"heating_setpoint":74}}`, 422},
		{"heating 3 below current cooling", thermo, `{"commands":{"heating_setpoint":73}}`, 200},
		{"both too close", thermo, `{"commands":{"heating_setpoint":70,"cooling_setpoint":72}}`, 422},
		{"fan", thermo, `{"commands":{"fan":"on"}}`, 200},
		{"bad fan", thermo, `{"commands":{"fan":"high"}}`, 422},
		{"fan_on_mode", thermo, `{"settings":{"fan_on_mode":30}}`, 200},
		{"fan_on_mode too long", thermo, `{"settings":{"fan_on_mode":721}}`, 422},
		{"setpoint as string", thermo, `{"commands":{"heating_setpoint":"66"}}`, 200},
		{"setpoint not a number", thermo, `{"commands":{"heating_setpoint":"warm"}}`, 422},
		{"malformed", lock, `{"commands":`, 400},
		{"unknown device", "00000000-0000-4000-8000-000000000000", `{"commands":{"mode":"lock"}}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("PUT", "/api/devices/"+tt.device, agent, tt.body)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			if m := decode(t, body); (status == 200) != (m["success"] == true) || m["message"] == "" {
				t.Errorf("body %s", body)
			}
		})
	}
}

func TestCommandsApplyAfterDelay(t *testing.T) {
	t.Parallel()
	e := start(t, Options{CommandDelay: 3 * time.Second})
	agent := e.installer()
	lock, dimmer := e.firstOf("lock").ID, ""
	e.with(func(st *state) {
		st.Devices[lock].Mode = "locked"
		for _, d := range st.Devices {
			if d.Type == "dimmable_switch" && d.HubID == st.Devices[lock].HubID {
				dimmer = d.ID
			}
		}
	})
	e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"unlock"}}`, 200, nil)
	readMode := func() string {
		var d struct {
			Status struct {
				Mode struct {
					Type string `json:"type"`
				} `json:"mode"`
			} `json:"status"`
		}
		e.call("GET", "/api/devices/"+lock, agent, nil, 200, &d)
		return d.Status.Mode.Type
	}
	e.advance(2 * time.Second)
	if got := readMode(); got != "locked" {
		t.Fatalf("mode %q before the delay, want locked", got)
	}
	e.advance(time.Second)
	if got := readMode(); got != "unlocked" {
		t.Fatalf("mode %q after the delay, want unlocked", got)
	}
	ev := e.events("Unlock")
	if len(ev) != 1 || ev[0]["User"] != "App" || ev[0]["device_id"] != lock || ev[0]["device_type"] != "lock" ||
		int64(ev[0]["activity_time"].(float64)) != testStart.Add(3*time.Second).UnixMilli() {
		t.Fatalf("Unlock webhooks %v", ev)
	}
	if _, has := ev[0]["details"]; has {
		t.Errorf("Unlock carries details: %v", ev[0])
	}

	if dimmer != "" {
		e.call("PUT", "/api/devices/"+dimmer, agent, `{"commands":{"power":40}}`, 200, nil)
		e.advance(3 * time.Second)
		lvl, on := e.events("dimmer_level_changed"), e.events("switch_on")
		if len(lvl) != 1 || lvl[0]["details"] != float64(40) || len(on) != 1 || on[0]["details"] != "on" {
			t.Errorf("dimmer webhooks %v %v", lvl, on)
		}
	}
}

func TestThermostatCommandWebhooks(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	thermo := e.firstOf("thermostat").ID
	e.call("PUT", "/api/devices/"+thermo, agent, `{"commands":{"mode":"cool","cooling_setpoint":75,"fan":"on"}}`, 200, nil)
	e.advance(DefaultCommandDelay)
	want := map[string]any{"thermostat_mode_changed": "cool", "cooling_setpoint_changed": float64(75), "fan_mode_changed": "on"}
	for mt, details := range want {
		if ev := e.events(mt); len(ev) != 1 || ev[0]["details"] != details {
			t.Errorf("%s: %v, want details %v", mt, ev, details)
		}
	}
	var d map[string]any
	e.call("GET", "/api/devices/"+thermo, agent, nil, 200, &d)
	st := d["status"].(map[string]any)
	if st["mode"] != "cool" || st["cooling_setpoint"] != float64(75) || st["fan"] != "on" {
		t.Errorf("status %v", st)
	}
}

func TestCommandToOfflineHubIsNeverApplied(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	sw := e.firstOf("thermostat")
	if err := e.sim.SetHubOnline(sw.HubID, false); err != nil {
		t.Fatal(err)
	}
	e.call("PUT", "/api/devices/"+sw.ID, agent, `{"commands":{"mode":"heat"}}`, 200, nil)
	e.advance(time.Minute)
	if err := e.sim.SetHubOnline(sw.HubID, true); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	if ev := e.events("thermostat_mode_changed"); len(ev) != 0 {
		t.Errorf("command applied through an offline hub: %v", ev)
	}
	off, on := e.events("offline"), e.events("online")
	if len(off) != 1 || off[0]["details"] != "Offline" || len(on) != 1 || on[0]["device_type"] != "hub" {
		t.Errorf("hub events %v %v", off, on)
	}
}

func TestResidentDeviceAccess(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	resident := e.resident()
	own := e.firstOf("lock").ID
	var other string
	e.with(func(st *state) {
		for _, d := range st.Devices {
			if d.PropertyID == 102 && d.Type == "lock" {
				other = d.ID
			}
		}
	})
	e.call("GET", "/api/devices/"+own, resident, nil, 200, nil)
	e.call("PUT", "/api/devices/"+own, resident, `{"commands":{"mode":"lock"}}`, 200, nil)
	e.call("GET", "/api/devices/"+other, resident, nil, 403, nil)
	e.call("PUT", "/api/devices/"+other, resident, `{"commands":{"mode":"unlock"}}`, 403, nil)
	e.call("PUT", "/api/devices/"+own, resident, `{"device_name":"Mine"}`, 403, nil)
	hub := e.firstOf("lock").HubID
	e.call("GET", fmt.Sprintf("/api/hubs/%s/desired_activities?events=add_device", hub), resident, nil, 403, nil)
}
