package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestDOMID(t *testing.T) {
	t.Parallel()
	tests := []struct{ id, want string }{
		{"3f2a9c1e-0B7D-4c55-9e0f-1a2b3c4d5e6f", "device-state-3f2a9c1e-0b7d-4c55-9e0f-1a2b3c4d5e6f"},
		{"42", "device-state-42"},
		{`a"b<c> d_e`, "device-state-a-b-c--d-e"},
		{"", "device-state-"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			if got := (DeviceStateData{ID: tt.id}).DOMID(); got != tt.want {
				t.Errorf("DOMID(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

func TestDeviceState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		state       DeviceStateData
		panel       string            // data-testid of the typed panel
		want        map[string]string // data-testid → text
		wantSummary string
		wantAlarm   bool
		absent      []string // text that must not appear
	}{
		{name: "lock", state: DeviceStateData{Type: "lock", Lock: &LockStateData{State: "locked", CodesInUse: 3, CodeSlots: 250},
			Battery: BatteryData{Percent: 64, Known: true}},
			panel: "state-lock", want: map[string]string{"lock-state": "Locked", "lock-codes": "3 of 250 slots", "battery": "64%"},
			wantSummary: "Locked · 3 codes"},
		{name: "jammed lock", state: DeviceStateData{Type: "lock", Lock: &LockStateData{State: "jammed"}},
			panel: "state-lock", want: map[string]string{"lock-state": "Jammed", "lock-codes": "0"},
			wantSummary: "Jammed", wantAlarm: true},
		{name: "unknown lock", state: DeviceStateData{Type: "lock", Lock: &LockStateData{CodesInUse: 1}},
			panel: "state-lock", want: map[string]string{"lock-state": "Unknown"}, wantSummary: "Unknown · 1 code"},
		{name: "thermostat", state: DeviceStateData{Type: "thermostat", Thermostat: &ThermostatStateData{RoomTemp: "71 °F",
			Mode: "cool", HeatingSetpoint: "66 °F", CoolingSetpoint: "74 °F", Fan: "auto", OperatingState: "Pending_Cool", Humidity: "40%"}},
			panel: "state-thermostat", want: map[string]string{"thermostat-room": "71 °F", "thermostat-mode": "Cool",
				"thermostat-heat": "66 °F", "thermostat-cool": "74 °F", "thermostat-fan": "Auto",
				"thermostat-operating": "Pending cool", "thermostat-humidity": "40%"},
			wantSummary: "71 °F · Cool · Pending cool"},
		{name: "thermostat without readings", state: DeviceStateData{Type: "thermostat", Thermostat: &ThermostatStateData{}},
			panel: "state-thermostat", want: map[string]string{"thermostat-room": "—", "thermostat-mode": "—"},
			wantSummary: "No state reported"},
		{name: "switch on", state: DeviceStateData{Type: "switch", Switch: &SwitchStateData{On: true}},
			panel: "state-switch", want: map[string]string{"state-switch": "On"}, wantSummary: "On"},
		{name: "switch off", state: DeviceStateData{Type: "switch", Switch: &SwitchStateData{}},
			panel: "state-switch", want: map[string]string{"state-switch": "Off"}, wantSummary: "Off"},
		{name: "dimmer", state: DeviceStateData{Type: "dimmable_switch", Dimmer: &DimmerStateData{On: true, Level: 140}},
			panel: "state-dimmer", want: map[string]string{"state-dimmer": "On"}, wantSummary: "On · 100%"},
		{name: "dimmer off", state: DeviceStateData{Type: "dimmable_switch", Dimmer: &DimmerStateData{Level: 30}},
			panel: "state-dimmer", want: map[string]string{"state-dimmer": "Off"}, wantSummary: "Off"},
		{name: "leak", state: DeviceStateData{Type: "leakage_sensor", Sensor: &SensorStateData{Leak: "yes"}},
			panel: "state-sensor", want: map[string]string{"sensor-leak": "Leak detected"},
			wantSummary: "Leak detected", wantAlarm: true, absent: []string{"Tamper"}},
		{name: "dry", state: DeviceStateData{Type: "leakage_sensor", Sensor: &SensorStateData{Leak: "no"}},
			panel: "state-sensor", want: map[string]string{"sensor-leak": "Dry"}, wantSummary: "Dry"},
		{name: "contact tampered", state: DeviceStateData{Type: "contact_sensor", Sensor: &SensorStateData{Contact: "open", Tamper: "yes"}},
			panel: "state-sensor", want: map[string]string{"sensor-contact": "Open", "sensor-tamper": "Tampered"},
			wantSummary: "Open · Tampered", wantAlarm: true},
		{name: "motion", state: DeviceStateData{Type: "motion_sensor", Sensor: &SensorStateData{Motion: "yes", Tamper: "no"}},
			panel: "state-sensor", want: map[string]string{"sensor-motion": "Motion detected", "sensor-tamper": "Not tampered"},
			wantSummary: "Motion detected"},
		{name: "smoke", state: DeviceStateData{Type: "smoke_alarm", SmokeAlarm: &SmokeAlarmStateData{Smoke: "yes"},
			Battery: BatteryData{Percent: 12, Known: true, Low: true}},
			panel: "state-smoke-alarm", want: map[string]string{"smoke-state": "Smoke detected", "battery": "12%"},
			wantSummary: "Smoke detected", wantAlarm: true},
		{name: "smoke clear", state: DeviceStateData{Type: "smoke_alarm", SmokeAlarm: &SmokeAlarmStateData{Smoke: "no"}},
			panel: "state-smoke-alarm", want: map[string]string{"smoke-state": "Clear"}, wantSummary: "Clear"},
		{name: "garage door opening", state: DeviceStateData{Type: "garage_door", GarageDoor: &GarageDoorStateData{State: "opening"}},
			panel: "state-garage-door", want: map[string]string{"garage-door-state": "Opening"}, wantSummary: "Opening"},
		{name: "garage door unknown", state: DeviceStateData{Type: "garage_door", GarageDoor: &GarageDoorStateData{State: "<b>x</b>"}},
			panel: "state-garage-door", want: map[string]string{"garage-door-state": "Unknown"}, wantSummary: "Unknown"},
		{name: "valve closed", state: DeviceStateData{Type: "valve_controller", Valve: &ValveStateData{State: "closed"}},
			panel: "state-valve", want: map[string]string{"valve-state": "Closed (water off)"}, wantSummary: "Closed (water off)"},
		{name: "repeater", state: DeviceStateData{Type: "repeater", Repeater: &RepeaterStateData{Signal: "87", PowerSource: "main"}},
			panel: "state-repeater", want: map[string]string{"repeater-signal": "87", "repeater-power": "Main"}, wantSummary: "Signal 87"},
		{name: "siren", state: DeviceStateData{Type: "siren", Siren: &SirenStateData{On: true}},
			panel: "state-siren", want: map[string]string{"siren-state": "Sounding"}, wantSummary: "Sounding"},
		{name: "light bulb", state: DeviceStateData{Type: "lightbulb", Lightbulb: &LightbulbStateData{On: true, Level: 70}},
			panel: "state-lightbulb", want: map[string]string{"lightbulb-on": "On", "lightbulb-level": "70%"}, wantSummary: "On · 70%"},
		{name: "access panel", state: DeviceStateData{Type: "access_panel", AccessPanel: &AccessPanelStateData{State: "unlocked",
			CodesInUse: 2, CodeSlots: 250, PowerSource: "main", Signal: "64"}},
			panel: "state-access-panel", want: map[string]string{"access-panel-mode": "Unlocked", "access-panel-codes": "2 of 250 slots",
				"access-panel-power": "Main", "access-panel-signal": "64"}, wantSummary: "Unlocked · 2 codes"},
		{name: "doorbell", state: DeviceStateData{Type: "door_bell", Doorbell: &DoorbellStateData{LastPressed: "Nov 29, 9:04 AM",
			LastPressedISO: "2026-11-29T15:04:00Z"}},
			panel: "state-doorbell", want: map[string]string{"doorbell-last-pressed": "Nov 29, 9:04 AM"}, wantSummary: "Pressed Nov 29, 9:04 AM"},
		{name: "doorbell never", state: DeviceStateData{Type: "door_bell", Doorbell: &DoorbellStateData{}},
			panel: "state-doorbell", want: map[string]string{"doorbell-last-pressed": "Never"}, wantSummary: "Never pressed"},
		{name: "raw", state: DeviceStateData{Type: "window_shade", Raw: []StateFieldData{{"mode", "closing"}, {"zwave_signal", "3"},
			{"codes", "1234"}, {"Master_Code", "654321"}, {"power_source", "main"}}},
			panel: "state-raw", want: map[string]string{}, wantSummary: "Mode: closing · Zwave signal: 3",
			absent: []string{"1234", "654321", "Codes", "Master code"}},
		{name: "raw empty", state: DeviceStateData{Type: "window_shade"}, panel: "state-raw-empty", wantSummary: "No state reported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.state.ID = "Dev_1"
			tt.state.Changed, tt.state.ChangedISO = "Nov 29, 3:04 PM", "2026-11-29T21:04:00Z"
			doc := render(t, DeviceState(tt.state))
			panel := one(t, doc, "device-state")
			if id := attr(t, panel, "id"); id != "device-state-dev-1" {
				t.Errorf("panel id = %q", id)
			}
			if got := panel.AttrOr("data-alarm", ""); got != boolAttr(tt.wantAlarm) {
				t.Errorf("data-alarm = %q, want %v", got, tt.wantAlarm)
			}
			one(t, doc, tt.panel)
			for id, want := range tt.want {
				assertText(t, doc, id, want)
			}
			if got := one(t, doc, "state-changed").Find("time").AttrOr("datetime", ""); got != tt.state.ChangedISO {
				t.Errorf("changed datetime = %q", got)
			}
			for _, s := range tt.absent {
				if strings.Contains(doc.Text(), s) {
					t.Errorf("%q is shown", s)
				}
			}
			if got := tt.state.Summary(); got != tt.wantSummary {
				t.Errorf("Summary() = %q, want %q", got, tt.wantSummary)
			}
			if tt.state.Alarm() != tt.wantAlarm {
				t.Errorf("Alarm() = %v", tt.state.Alarm())
			}
		})
	}
	t.Run("dimmer meter", func(t *testing.T) {
		t.Parallel()
		doc := render(t, DeviceState(DeviceStateData{ID: "x", Dimmer: &DimmerStateData{On: true, Level: 40}}))
		m := one(t, doc, "dimmer-level")
		if goquery.NodeName(m) != "meter" || attr(t, m, "value") != "40" || attr(t, m, "min") != "0" || attr(t, m, "max") != "100" {
			t.Errorf("meter = <%s value=%q>", goquery.NodeName(m), m.AttrOr("value", ""))
		}
	})
}

func TestDevicePage(t *testing.T) {
	t.Parallel()
	d := DeviceDetailData{ID: "d-1", Name: "Front door", Type: "lock", HubID: "h-1", HubName: "Front hub",
		PropertyID: "101", PropertyName: "Maple Court 12",
		State: DeviceStateData{ID: "d-1", Type: "lock", Online: true, Lock: &LockStateData{State: "unlocked", CodesInUse: 1}},
		Sync:  SyncData{OK: true, LastSynced: "3:00 PM", CanSync: true}}
	doc := render(t, DevicePage(signedIn(NavProperties, false), d))
	assertText(t, doc, "page-title", "Front door")
	assertText(t, doc, "page-subtitle", "Lock")
	assertText(t, doc, "device-type", "Lock")
	if got := attr(t, one(t, doc, "device-hub"), "href"); got != "/hubs/h-1" {
		t.Errorf("hub href = %q", got)
	}
	if got := attr(t, one(t, doc, "device-property"), "href"); got != "/properties/101" {
		t.Errorf("property href = %q", got)
	}
	crumbs := one(t, doc, "breadcrumbs").Find("a")
	if crumbs.Length() != 2 || crumbs.First().AttrOr("href", "") != "/properties/101" || crumbs.Eq(1).AttrOr("href", "") != "/hubs/h-1" {
		t.Errorf("breadcrumbs = %q", text(crumbs))
	}
	if attr(t, one(t, doc, "device-state"), "id") != "device-state-d-1" {
		t.Error("state panel id")
	}
	assertText(t, doc, "lock-state", "Unlocked")
	if sync := one(t, doc, "sync-now"); attr(t, sync, "hx-post") != "/sync" || attr(t, sync, "hx-target") != "#sync-status" ||
		attr(t, sync, "hx-swap") != "outerHTML" {
		t.Error("sync button attributes")
	}

	d.PropertyID, d.PropertyName = "", ""
	doc = render(t, DevicePage(signedIn(NavProperties, false), d))
	assertText(t, doc, "device-property", "Unassigned")
	if first := one(t, doc, "breadcrumbs").Find("a").First(); first.AttrOr("href", "") != "/hubs" {
		t.Errorf("unassigned device breadcrumb = %q", first.AttrOr("href", ""))
	}
}
