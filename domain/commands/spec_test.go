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
