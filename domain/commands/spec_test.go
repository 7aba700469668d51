package commands

import (
	"testing"

	"github.com/keyless/dashboard/smarthome"
)

// TestSpecRecord: a spec survives the record's JSON, names itself for the card and the audit log, and the action
// tables hand out copies.
func TestSpecRecord(t *testing.T) {
	t.Parallel()
	s := Spec{Action: ActThermostat, Mode: smarthome.Ptr("heat"), Heating: smarthome.Ptr(68)}
	if got := ParseSpec(s.JSON()); got.Label() != "Thermostat: mode heat, heat to 68 °F" || *got.Heating != 68 {
		t.Errorf("round trip: %+v (%q)", got, got.Label())
	}
	if got := ParseSpec("not json"); got != (Spec{}) {
		t.Errorf("unreadable record: %+v, want the zero spec", got)
	}
	for _, tc := range []struct {
		spec   Spec
		device bool
		want   string
	}{
		{Spec{Action: ActLock}, true, "device.lock"},
		{Spec{Action: smarthome.HubReboot}, false, "hub.reboot"},
		{Spec{Action: ActReset}, false, "hub.master_code_reset"},
	} {
		if got := tc.spec.AuditAction(tc.device); got != tc.want {
			t.Errorf("AuditAction(%q) = %q, want %q", tc.spec.Action, got, tc.want)
		}
	}
	actions, ok := DeviceActions("lock")
	if !ok || len(actions) != 2 {
		t.Fatalf("lock actions %v, %v", actions, ok)
	}
	actions[0] = "x"
	if again, _ := DeviceActions("lock"); again[0] != ActLock {
		t.Error("DeviceActions handed out its table")
	}
	if _, ok := DeviceActions("sensor"); ok {
		t.Error("a sensor takes commands")
	}
	if _, err := (Spec{Action: smarthome.HubReboot}).Wire("lock"); err == nil {
		t.Error("a hub action built a device command")
	}
}

// TestSpecNewTypes: light bulbs take on/off beside the level, access panels a lock's verbs [INF], and an add_device
// carries the type it pairs on the wire and in its label.
func TestSpecNewTypes(t *testing.T) {
	t.Parallel()
	if got, _ := DeviceActions("lightbulb"); len(got) != 3 || got[0] != ActOn || got[1] != ActOff || got[2] != ActLevel {
		t.Errorf("lightbulb actions %v", got)
	}
	if got, _ := DeviceActions("access_panel"); len(got) != 2 || got[0] != ActLock || got[1] != ActUnlock {
		t.Errorf("access panel actions %v", got)
	}
	for _, tc := range []struct {
		typ, action, mode string
	}{
		{"access_panel", ActUnlock, "unlock"},
		{"access_panel", ActLock, "lock"},
		{"lightbulb", ActOn, "on"},
		{"lightbulb", ActOff, "off"},
	} {
		cmd, err := Spec{Action: tc.action}.Wire(tc.typ)
		if err != nil || cmd.Commands == nil || cmd.Commands.Mode == nil || *cmd.Commands.Mode != tc.mode {
			t.Errorf("%s %s: %+v (%v), want mode %q", tc.typ, tc.action, cmd, err, tc.mode)
		}
	}
	add := ParseSpec(Spec{Action: smarthome.HubAddDevice, DeviceType: "garage_door"}.JSON())
	if w := add.HubWire(); w.DeviceType != "garage_door" || w.Validate() != nil {
		t.Errorf("wire %+v (%v)", w, w.Validate())
	}
	if got := add.Label(); got != "Add a device (inclusion): garage door" {
		t.Errorf("label %q", got)
	}
}
