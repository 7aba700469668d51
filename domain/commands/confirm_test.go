package commands

import (
	"testing"

	"github.com/keyless/dashboard/smarthome"
)

// TestCommandSatisfied: which device states confirm which commands.
func TestCommandSatisfied(t *testing.T) {
	t.Parallel()
	p := smarthome.Ptr[int]
	s := smarthome.Ptr[string]
	tests := []struct {
		name   string
		spec   Spec
		status string
		want   bool
	}{
		{"locked", Spec{Action: ActLock}, `{"mode":{"type":"locked"}}`, true},
		{"still unlocked", Spec{Action: ActLock}, `{"mode":{"type":"unlocked"}}`, false},
		{"unlocked", Spec{Action: ActUnlock}, `{"mode":{"type":"Unlocked"}}`, true},
		{"switch on", Spec{Action: ActOn}, `{"mode":"on"}`, true},
		{"switch off wanted", Spec{Action: ActOff}, `{"mode":"on"}`, false},
		{"garage closed", Spec{Action: ActClose}, `{"mode":"closed"}`, true},
		{"garage closing", Spec{Action: ActClose}, `{"mode":"closing"}`, false},
		{"valve open", Spec{Action: ActOpen}, `{"mode":"open"}`, true},
		{"dimmer at level", Spec{Action: ActLevel, Level: p(40)}, `{"mode":"on","power":40}`, true},
		{"dimmer level as text", Spec{Action: ActLevel, Level: p(40)}, `{"mode":"on","power":"40"}`, true},
		{"dimmer other level", Spec{Action: ActLevel, Level: p(40)}, `{"mode":"on","power":30}`, false},
		{"dimmer off at 0", Spec{Action: ActLevel, Level: p(0)}, `{"mode":"off","power":30}`, true},
		{"thermostat all", Spec{Action: ActThermostat, Mode: s("heat"), Heating: p(68), Fan: s("auto")},
			`{"mode":"heat","heating_setpoint":68,"cooling_setpoint":75,"fan":"auto"}`, true},
		{"thermostat one missing", Spec{Action: ActThermostat, Mode: s("heat"), Heating: p(68)},
			`{"mode":"heat","heating_setpoint":66}`, false},
		{"thermostat setpoint not reported", Spec{Action: ActThermostat, Cooling: p(75)}, `{"mode":"cool"}`, false},
		{"garbage", Spec{Action: ActLock}, `not json`, false},
		{"hub action", Spec{Action: "reboot"}, `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := commandSatisfied(tt.spec, []byte(tt.status)); got != tt.want {
				t.Errorf("commandSatisfied = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConfirmingKind: the single webhook kinds that prove a command.
func TestConfirmingKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deviceType string
		spec       Spec
		want       smarthome.EventKind
	}{
		{"lock", Spec{Action: ActLock}, smarthome.KindLockLocked},
		{"lock", Spec{Action: ActUnlock}, smarthome.KindLockUnlocked},
		{"siren", Spec{Action: ActOn}, smarthome.KindSirenOn},
		{"switch", Spec{Action: ActOff}, smarthome.KindSwitchOff},
		{"garage_door", Spec{Action: ActOpen}, smarthome.KindGarageOpened},
		{"valve_controller", Spec{Action: ActClose}, smarthome.KindValveClosed},
		{"dimmable_switch", Spec{Action: ActLevel, Level: smarthome.Ptr(0)}, smarthome.KindSwitchOff},
		{"dimmable_switch", Spec{Action: ActLevel, Level: smarthome.Ptr(50)}, ""},
		{"thermostat", Spec{Action: ActThermostat, Mode: smarthome.Ptr("heat")}, ""},
	}
	for _, tt := range tests {
		if got := confirmingKind(tt.deviceType, tt.spec); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.deviceType, tt.spec.Label(), got, tt.want)
		}
	}
}
