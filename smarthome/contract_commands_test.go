package smarthome_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// cmdCase is one device command: accepted and applied after the command delay (want), refused by the client before
// sending (local, with the simulator's 422 message for the same body sent raw), or refused by the simulator (msg).
type cmdCase struct {
	name  string
	typ   string
	cmd   func(cur *smarthome.Device) (smarthome.Command, error)
	want  func(t *testing.T, d *smarthome.Device)
	local bool
	msg   string
}

func fixed(c smarthome.Command) func(*smarthome.Device) (smarthome.Command, error) {
	return func(*smarthome.Device) (smarthome.Command, error) { return c, nil }
}

// built is the command a builder made; a builder refusing a valid value fails the case.
func built(c smarthome.Command, err error) func(*smarthome.Device) (smarthome.Command, error) {
	return func(*smarthome.Device) (smarthome.Command, error) { return c, err }
}

func values(v smarthome.CommandValues) smarthome.Command { return smarthome.Command{Commands: &v} }

func wantMode(mode string) func(*testing.T, *smarthome.Device) {
	return func(t *testing.T, d *smarthome.Device) {
		st, err := d.SwitchStatus()
		if err != nil || st.Mode != mode {
			t.Errorf("mode %q (%v), want %q", st.Mode, err, mode)
		}
	}
}

func wantLock(state string) func(*testing.T, *smarthome.Device) {
	return func(t *testing.T, d *smarthome.Device) {
		st, err := d.LockStatus()
		if err != nil || st.Mode.Type != state {
			t.Errorf("lock %q (%v), want %q", st.Mode.Type, err, state)
		}
	}
}

func wantDimmer(mode string, power int) func(*testing.T, *smarthome.Device) {
	return func(t *testing.T, d *smarthome.Device) {
		st, err := d.DimmerStatus()
		if err != nil || st.Mode != mode || st.Power.Int() != power {
			t.Errorf("dimmer %q at %d (%v), want %q at %d", st.Mode, st.Power, err, mode, power)
		}
	}
}

func wantThermostat(mode string, heat, cool int, fan string) func(*testing.T, *smarthome.Device) {
	return func(t *testing.T, d *smarthome.Device) {
		st, err := d.ThermostatStatus()
		if err != nil || st.Mode != mode || (heat != 0 && st.HeatingSetpoint.Int() != heat) ||
			(cool != 0 && st.CoolingSetpoint.Int() != cool) || (fan != "" && st.Fan != fan) {
			t.Errorf("thermostat %+v (%v), want %s heat %d cool %d fan %q", st, err, mode, heat, cool, fan)
		}
	}
}

func commandCases(e *contractEnv, c *apiClient) []cmdCase {
	mode := func(m string) smarthome.Command { return values(smarthome.CommandValues{Mode: smarthome.Ptr(m)}) }
	th := func(tc smarthome.ThermostatCommand) func(*smarthome.Device) (smarthome.Command, error) {
		return built(tc.Command())
	}
	return []cmdCase{
		{name: "unlock", typ: "lock", cmd: fixed(smarthome.LockCommand(false)), want: wantLock("unlocked")},
		{name: "lock", typ: "lock", cmd: fixed(smarthome.LockCommand(true)), want: wantLock("locked")},
		{name: "switch on", typ: "switch", cmd: fixed(smarthome.SwitchCommand(true)), want: wantMode("on")},
		{name: "switch off", typ: "switch", cmd: fixed(smarthome.SwitchCommand(false)), want: wantMode("off")},
		{name: "dimmer to 40", typ: "dimmable_switch", cmd: built(smarthome.DimmerCommand(40)), want: wantDimmer("on", 40)},
		{name: "dimmer to 0 is off", typ: "dimmable_switch", cmd: built(smarthome.DimmerCommand(0)), want: wantDimmer("off", 40)},
		{name: "light bulb to 60", typ: "lightbulb", cmd: built(smarthome.DimmerCommand(60)), want: wantDimmer("on", 60)},
		{name: "thermostat cool 75", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{Mode: smarthome.Ptr("cool"),
			CoolingSetpoint: smarthome.Ptr(75)}), want: wantThermostat("cool", 0, 75, "")},
		{name: "thermostat heat 68", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{Mode: smarthome.Ptr("heat"),
			HeatingSetpoint: smarthome.Ptr(68)}), want: wantThermostat("heat", 68, 75, "")},
		{name: "thermostat auto 60..80", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{Mode: smarthome.Ptr("auto"),
			HeatingSetpoint: smarthome.Ptr(60), CoolingSetpoint: smarthome.Ptr(80)}), want: wantThermostat("auto", 60, 80, "")},
		{name: "thermostat off", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{Mode: smarthome.Ptr("off")}),
			want: wantThermostat("off", 60, 80, "")},
		{name: "thermostat fan on", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{Fan: smarthome.Ptr("on")}),
			want: wantThermostat("off", 0, 0, "on")},
		{name: "thermostat fan for 30 min", typ: "thermostat", cmd: th(smarthome.ThermostatCommand{FanOnMinutes: smarthome.Ptr(30)}),
			want: func(t *testing.T, d *smarthome.Device) {
				wantThermostat("off", 0, 0, "on")(t, d)
				e.advance(30 * time.Minute)
				d, _, err := c.Devices.Get(t.Context(), d.ID)
				must(t, err)
				wantThermostat("off", 0, 0, "auto")(t, d)
			}},
		{name: "garage open", typ: "garage_door", cmd: fixed(smarthome.GarageDoorCommand(true)), want: wantMode("open")},
		{name: "garage close", typ: "garage_door", cmd: fixed(smarthome.GarageDoorCommand(false)), want: wantMode("closed")},
		{name: "valve close", typ: "valve_controller", cmd: fixed(smarthome.ValveCommand(false)), want: wantMode("closed")},
		{name: "valve open", typ: "valve_controller", cmd: fixed(smarthome.ValveCommand(true)), want: wantMode("open")},
		{name: "siren on", typ: "siren", cmd: fixed(smarthome.SirenCommand(true)), want: wantMode("on")},
		{name: "siren off", typ: "siren", cmd: fixed(smarthome.SirenCommand(false)), want: wantMode("off")},
		{name: "light bulb off", typ: "lightbulb", cmd: fixed(smarthome.SwitchCommand(false)), want: wantDimmer("off", 60)},
		{name: "light bulb on", typ: "lightbulb", cmd: fixed(smarthome.SwitchCommand(true)), want: wantDimmer("on", 60)},
		{name: "access panel unlock", typ: "access_panel", cmd: fixed(smarthome.AccessPanelCommand(false)), want: wantLock("unlocked")},
		{name: "access panel lock", typ: "access_panel", cmd: fixed(smarthome.AccessPanelCommand(true)), want: wantLock("locked")},

		// Refused by the simulator: the client cannot know the device type or the current values.
		{name: "lock told on", typ: "lock", cmd: fixed(mode("on")), msg: "mode must be one of [lock unlock]"},
		{name: "power to a switch", typ: "switch", cmd: built(smarthome.DimmerCommand(50)), msg: "Unknown command: power"},
		{name: "thermostat told open", typ: "thermostat", cmd: fixed(mode("open")), msg: "mode must be one of"},
		{name: "cooling under current heating", typ: "thermostat", cmd: func(cur *smarthome.Device) (smarthome.Command, error) {
			st, err := cur.ThermostatStatus()
			return values(smarthome.CommandValues{CoolingSetpoint: smarthome.Ptr(st.HeatingSetpoint.Int() + 2)}), err
		}, msg: "must be at least 3 below cooling_setpoint"},
		{name: "fan run time to a siren", typ: "siren", cmd: fixed(smarthome.Command{Settings: &smarthome.CommandSettings{FanOnMode: smarthome.Ptr(5)}}),
			msg: "Unknown setting: fan_on_mode"},
		{name: "read-only sensor", typ: "leakage_sensor", cmd: fixed(smarthome.SwitchCommand(true)), msg: "Device does not accept commands"},
		{name: "access panel told on", typ: "access_panel", cmd: fixed(mode("on")), msg: "mode must be one of [lock unlock]"},
		{name: "repeater", typ: "repeater", cmd: fixed(smarthome.SwitchCommand(true)), msg: "Device does not accept commands"},

		// Refused by the client; the same body sent raw must be refused by the simulator too.
		{name: "empty command", typ: "switch", cmd: fixed(smarthome.Command{Commands: &smarthome.CommandValues{}}), local: true, msg: "No command given"},
		{name: "unknown mode", typ: "switch", cmd: fixed(mode("explode")), local: true, msg: "mode must be one of [on off]"},
		{name: "power 101", typ: "dimmable_switch", cmd: fixed(values(smarthome.CommandValues{Power: smarthome.Ptr(101)})), local: true,
			msg: "power must be an integer between 0 and 100"},
		{name: "power -1", typ: "dimmable_switch", cmd: fixed(values(smarthome.CommandValues{Power: smarthome.Ptr(-1)})), local: true,
			msg: "power must be an integer between 0 and 100"},
		{name: "setpoint 95", typ: "thermostat", cmd: fixed(values(smarthome.CommandValues{HeatingSetpoint: smarthome.Ptr(95)})), local: true,
			msg: "heating_setpoint must be an integer between 50 and 90"},
		{name: "heating above cooling-3", typ: "thermostat", cmd: fixed(values(smarthome.CommandValues{HeatingSetpoint: smarthome.Ptr(80),
			CoolingSetpoint: smarthome.Ptr(78)})), local: true, msg: "must be at least 3 below cooling_setpoint"},
		{name: "fan high", typ: "thermostat", cmd: fixed(values(smarthome.CommandValues{Fan: smarthome.Ptr("high")})), local: true,
			msg: "fan must be one of [auto on]"},
		{name: "fan run time 721", typ: "thermostat", cmd: fixed(smarthome.Command{Settings: &smarthome.CommandSettings{FanOnMode: smarthome.Ptr(721)}}),
			local: true, msg: "fan_on_mode must be an integer between 0 and 720"},
	}
}

func TestContractDeviceCommands(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	s := e.addDevices(c, e.site(c, richSite), extraTypes...)
	for _, tt := range commandCases(e, c) {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			id := s.first(t, tt.typ).ID
			cur, _, err := c.Devices.Get(ctx, id)
			must(t, err)
			cmd, err := tt.cmd(cur)
			must(t, err)
			before := c.rec.total()
			_, err = c.Devices.Command(ctx, id, cmd)
			switch {
			case tt.local:
				checkLocal(t, c, before, err)
				e.wantRaw(token, "PUT", "/api/devices/"+id, cmd, 422, tt.msg)
				return
			case tt.msg != "":
				checkErr(t, err, smarthome.ErrValidation, tt.msg)
				return
			}
			must(t, err)
			pending, _, err := c.Devices.Get(ctx, id)
			must(t, err)
			if !bytes.Equal(pending.Status, cur.Status) {
				t.Errorf("status changed before the command delay: %s", pending.Status)
			}
			e.advance(commandDelay)
			after, _, err := c.Devices.Get(ctx, id)
			must(t, err)
			tt.want(t, after)
		})
	}
	t.Run("builders refuse out-of-range values", func(t *testing.T) {
		for _, err := range []error{
			func() error { _, err := smarthome.DimmerCommand(101); return err }(),
			func() error { _, err := smarthome.ThermostatCommand{Mode: smarthome.Ptr("dry")}.Command(); return err }(),
			func() error { _, err := smarthome.ThermostatCommand{}.Command(); return err }(),
		} {
			checkErr(t, err, smarthome.ErrValidation, "")
		}
		e.wantRaw(token, "PUT", "/api/devices/"+s.first(t, "thermostat").ID, `{"commands":{"mode":"dry"}}`, 422, "mode must be one of")
	})
	_, err := c.Devices.Command(t.Context(), "no-such-device", smarthome.LockCommand(true))
	checkErr(t, err, smarthome.ErrNotFound, "Device not found")
}

// TestContractCommandOfflineHub: a command to a device behind an offline hub is accepted and never applied, not even
// once the hub is back (CONTRACT.md, Devices).
func TestContractCommandOfflineHub(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, richSite)
	sw := s.first(t, "switch")
	st, err := sw.SwitchStatus()
	must(t, err)
	if !slices.Contains([]string{"on", "off"}, st.Mode) {
		t.Fatalf("switch mode %q", st.Mode)
	}
	target := map[string]bool{"on": false, "off": true}[st.Mode] // the opposite of what it is
	must(t, e.sim.SetHubOnline(s.hub.ID, false))
	if _, err := c.Devices.Command(ctx, sw.ID, smarthome.SwitchCommand(target)); err != nil {
		t.Fatalf("command to an offline hub's device: %v, want it accepted", err)
	}
	for _, online := range []bool{false, true} {
		must(t, e.sim.SetHubOnline(s.hub.ID, online))
		e.advance(commandDelay)
		d, _, err := c.Devices.Get(ctx, sw.ID)
		must(t, err)
		wantMode(st.Mode)(t, d)
	}
}
