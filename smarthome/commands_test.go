package smarthome

import (
	"encoding/json"
	"testing"
	"time"
)

func TestCommandConstructors(t *testing.T) {
	t.Parallel()
	dim40, _ := DimmerCommand(40)
	dim0, _ := DimmerCommand(0)
	thermo := func(tc ThermostatCommand) Command {
		c, err := tc.Command()
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		return c
	}
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"lock", LockCommand(true), `{"commands":{"mode":"lock"}}`},
		{"unlock", LockCommand(false), `{"commands":{"mode":"unlock"}}`},
		{"switch on", SwitchCommand(true), `{"commands":{"mode":"on"}}`},
		{"switch off", SwitchCommand(false), `{"commands":{"mode":"off"}}`},
		{"dimmer 40", dim40, `{"commands":{"mode":"on","power":40}}`},
		{"dimmer 0 is off", dim0, `{"commands":{"mode":"off"}}`},
		{"garage open", GarageDoorCommand(true), `{"commands":{"mode":"open"}}`},
		{"garage close", GarageDoorCommand(false), `{"commands":{"mode":"close"}}`},
		{"valve open", ValveCommand(true), `{"commands":{"mode":"open"}}`},
		{"valve close", ValveCommand(false), `{"commands":{"mode":"close"}}`},
		{"siren on", SirenCommand(true), `{"commands":{"mode":"on"}}`},
		{"siren off", SirenCommand(false), `{"commands":{"mode":"off"}}`},
		{"thermostat cool 75", thermo(ThermostatCommand{Mode: Ptr("cool"), CoolingSetpoint: Ptr(75)}), `{"commands":{"mode":"cool","cooling_setpoint":75}}`},
		{"thermostat off", thermo(ThermostatCommand{Mode: Ptr("off")}), `{"commands":{"mode":"off"}}`},
		{"fan only", thermo(ThermostatCommand{Fan: Ptr("on"), FanOnMinutes: Ptr(0)}), `{"commands":{"fan":"on"},"settings":{"fan_on_mode":0}}`},
		{"fan minutes only", thermo(ThermostatCommand{FanOnMinutes: Ptr(720)}), `{"settings":{"fan_on_mode":720}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.cmd)
			if err != nil || string(b) != tt.want {
				t.Errorf("Marshal = %s, %v; want %s", b, err, tt.want)
			}
			if err := tt.cmd.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestCommandValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tc   ThermostatCommand
		ok   bool
	}{
		{"setpoints at limits", ThermostatCommand{HeatingSetpoint: Ptr(50), CoolingSetpoint: Ptr(90)}, true},
		{"gap exactly 3", ThermostatCommand{HeatingSetpoint: Ptr(70), CoolingSetpoint: Ptr(73)}, true},
		{"gap 2", ThermostatCommand{HeatingSetpoint: Ptr(71), CoolingSetpoint: Ptr(73)}, false},
		{"heating alone may be high", ThermostatCommand{HeatingSetpoint: Ptr(90)}, true},
		{"below 50", ThermostatCommand{HeatingSetpoint: Ptr(49)}, false},
		{"above 90", ThermostatCommand{CoolingSetpoint: Ptr(91)}, false},
		{"bad mode", ThermostatCommand{Mode: Ptr("turbo")}, false},
		{"bad fan", ThermostatCommand{Fan: Ptr("high")}, false},
		{"fan minutes -1", ThermostatCommand{FanOnMinutes: Ptr(-1)}, false},
		{"fan minutes 721", ThermostatCommand{FanOnMinutes: Ptr(721)}, false},
		{"empty", ThermostatCommand{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.tc.Command()
			if (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
				t.Errorf("Command() err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	for _, level := range []int{-1, 101} {
		if _, err := DimmerCommand(level); !errorsIsValidation(err) {
			t.Errorf("DimmerCommand(%d) = %v", level, err)
		}
	}
	raw := []Command{
		{},
		{Commands: &CommandValues{}},
		{Commands: &CommandValues{Power: Ptr(101)}},
		{Commands: &CommandValues{Fan: Ptr("max")}},
		{Commands: &CommandValues{HeatingSetpoint: Ptr(80), CoolingSetpoint: Ptr(81)}},
		{Settings: &CommandSettings{}},
		{Settings: &CommandSettings{FanOnMode: Ptr(1000)}},
	}
	for i, c := range raw {
		if err := c.Validate(); !errorsIsValidation(err) {
			t.Errorf("raw command %d: Validate = %v", i, err)
		}
	}
}

func TestActivityQueryValidation(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2023, 1, d, 15, 0, 0, 0, time.UTC) }
	hubEvents := []string{EventAddDevice, EventRemoveDevice}
	tests := []struct {
		name string
		q    ActivityQuery
		ok   bool
	}{
		{"events only", ActivityQuery{Events: []string{EventAddDevice}}, true},
		{"both events, 7 days", ActivityQuery{From: day(1), To: day(8), Events: hubEvents}, true},
		{"same day", ActivityQuery{From: day(3), To: day(3), Events: hubEvents}, true},
		{"8 days", ActivityQuery{From: day(1), To: day(9), Events: hubEvents}, false},
		{"from after to", ActivityQuery{From: day(5), To: day(4), Events: hubEvents}, false},
		{"only from", ActivityQuery{From: day(1), Events: hubEvents}, false},
		{"only to", ActivityQuery{To: day(1), Events: hubEvents}, false},
		{"no events", ActivityQuery{From: day(1), To: day(2)}, false},
		{"other event", ActivityQuery{Events: []string{"Lock"}}, false},
		{"empty event", ActivityQuery{Events: []string{""}}, false},
		{"comma smuggling", ActivityQuery{Events: []string{"add_device,Lock"}}, false},
	}
	f := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.validate(hubEvents)
			if (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
				t.Errorf("validate = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				// Rejected before sending: the fixture has no desired_activities route, so sending would 404.
				if _, _, err := f.client.Hubs.DesiredActivities(t.Context(), "h1", tt.q); !errorsIsValidation(err) {
					t.Errorf("DesiredActivities = %v, want ErrValidation", err)
				}
			}
		})
	}
}
