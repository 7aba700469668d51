package simulator

import (
	"slices"
	"testing"
	"time"
)

func TestLife(t *testing.T) {
	t.Parallel()
	run := func() []string {
		e := start(t, Options{LifeRate: 0.5, Seed: 3})
		for range 10 {
			e.advance(time.Minute)
		}
		var types []string
		for _, d := range e.sim.Deliveries() {
			types = append(types, d.MessageType)
		}
		return types
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Error("the same seed lived differently")
	}
	seen := map[string]bool{}
	for _, mt := range a {
		seen[mt] = true
	}
	if !seen["heartbeat"] || len(seen) < 4 {
		t.Errorf("life produced %v", seen)
	}
}

func TestQuietRunsStayQuiet(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	hub := e.firstOf("lock").HubID
	e.advance(10 * time.Minute)
	if d := e.sim.Deliveries(); len(d) != 0 {
		t.Errorf("a run without life sent %d webhooks", len(d))
	}
	var h map[string]any
	e.call("GET", "/api/hubs/"+hub, e.installer(), nil, 200, &h)
	beat, _ := time.Parse(time.RFC3339Nano, h["status"].(map[string]any)["heartBeat"].(string))
	if age := testStart.Add(10 * time.Minute).Sub(beat); age < 0 || age >= time.Minute {
		t.Errorf("heartBeat %v is %v old", beat, age)
	}
}

func TestCatalogueTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, m := range Catalogue() {
		for _, dt := range m.DeviceTypes {
			key := dt + "/" + m.Name
			if seen[key] {
				t.Errorf("duplicate catalogue row %s", key)
			}
			seen[key] = true
		}
		if m.Details != detailsNone && m.Example == nil {
			t.Errorf("%s has no example details", m.Name)
		}
		if m.User != (m.DefaultUser != "") {
			t.Errorf("%s: User %v but default user %q", m.Name, m.User, m.DefaultUser)
		}
	}
	for _, key := range []string{"hub/online", "hub/heartbeat", "hub/power_source", "hub/unassigned_from_account", "lock/Lock", "lock/Unlock",
		"lock/lock_code_added", "leakage_sensor/leak_detected", "thermostat/thermostat_mode_changed", "repeater/offline", "access_panel/access_granted"} {
		if !seen[key] {
			t.Errorf("catalogue lacks %s", key)
		}
	}
	if len(seen) < 60 {
		t.Errorf("catalogue has %d (device_type, message_type) pairs", len(seen))
	}
}
