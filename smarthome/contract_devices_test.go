package smarthome_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// statusCheck decodes a device's status with the accessor its type calls for and checks the values.
type statusCheck func(t *testing.T, d *smarthome.Device) error

func oneOf(t *testing.T, what, got string, want ...string) {
	t.Helper()
	if !slices.Contains(want, got) {
		t.Errorf("%s = %q, want one of %v", what, got, want)
	}
}

var (
	checkLock statusCheck = func(t *testing.T, d *smarthome.Device) error {
		st, err := d.LockStatus()
		if err == nil {
			oneOf(t, "mode.type", st.Mode.Type, "locked", "unlocked")
			if st.MaxSlots.Int() <= 0 || st.Codes == nil || len(st.SettingErrors) == 0 || st.ZWaveSignal.Int() <= 0 {
				t.Errorf("lock status %+v", st)
			}
		}
		return err
	}
	checkThermostat statusCheck = func(t *testing.T, d *smarthome.Device) error {
		st, err := d.ThermostatStatus()
		if err == nil {
			oneOf(t, "mode", st.Mode, "off", "heat", "cool", "auto")
			oneOf(t, "fan", st.Fan, "auto", "on")
			oneOf(t, "operating_state", st.OperatingState, "Off", "Heating", "Cooling")
			h, c := st.HeatingSetpoint.Int(), st.CoolingSetpoint.Int()
			if h < smarthome.MinSetpoint || c > smarthome.MaxSetpoint || h > c-smarthome.SetpointGap || st.RoomTemp.Int() == 0 {
				t.Errorf("thermostat status %+v", st)
			}
		}
		return err
	}
	checkMode = func(modes ...string) statusCheck {
		return func(t *testing.T, d *smarthome.Device) error {
			st, err := d.SwitchStatus()
			if err == nil {
				oneOf(t, "mode", st.Mode, modes...)
			}
			return err
		}
	}
	checkDimmer statusCheck = func(t *testing.T, d *smarthome.Device) error {
		st, err := d.DimmerStatus()
		if err == nil {
			oneOf(t, "mode", st.Mode, "on", "off")
			if p := st.Power.Int(); p < 0 || p > 100 {
				t.Errorf("power %d", p)
			}
		}
		return err
	}
	checkSensor = func(field func(smarthome.SensorStatus) string, tamper bool, values ...string) statusCheck {
		return func(t *testing.T, d *smarthome.Device) error {
			st, err := d.SensorStatus()
			if err == nil {
				oneOf(t, "sensor value", field(st), values...)
				if (st.Tamper != nil) != tamper {
					t.Errorf("tamper %v, want it reported: %t", st.Tamper, tamper)
				}
			}
			return err
		}
	}
	checkRawOnly statusCheck = func(t *testing.T, d *smarthome.Device) error {
		var st map[string]json.RawMessage
		if err := json.Unmarshal(d.Status, &st); err != nil || st["zwave_signal"] == nil {
			t.Errorf("raw status %s (%v)", d.Status, err)
		}
		return nil
	}
)

func TestContractDeviceStatus(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	s := e.addDevices(c, e.site(c, richSite), append(slices.Clone(extraTypes), "motion_sensor", "door_bell")...)
	tests := []struct {
		typ   string
		check statusCheck
	}{
		{"lock", checkLock},
		{"access_panel", checkLock},
		{"thermostat", checkThermostat},
		{"switch", checkMode("on", "off")},
		{"siren", checkMode("on", "off")},
		{"garage_door", checkMode("open", "closed", "opening", "closing")},
		{"valve_controller", checkMode("open", "closed")},
		{"dimmable_switch", checkDimmer},
		{"lightbulb", checkDimmer},
		{"leakage_sensor", checkSensor(func(s smarthome.SensorStatus) string { return s.Leakage }, false, "yes", "no")},
		{"contact_sensor", checkSensor(func(s smarthome.SensorStatus) string { return s.Contact }, true, "open", "closed")},
		{"motion_sensor", checkSensor(func(s smarthome.SensorStatus) string { return s.Motion }, true, "yes", "no")},
		{"smoke_alarm", checkSensor(func(s smarthome.SensorStatus) string { return s.Smoke }, false, "yes", "no")},
		{"door_bell", checkRawOnly},
		{"repeater", checkRawOnly},
	}
	accessors := []func(d *smarthome.Device) error{
		func(d *smarthome.Device) error { _, err := d.LockStatus(); return err },
		func(d *smarthome.Device) error { _, err := d.ThermostatStatus(); return err },
		func(d *smarthome.Device) error { _, err := d.SwitchStatus(); return err },
		func(d *smarthome.Device) error { _, err := d.DimmerStatus(); return err },
		func(d *smarthome.Device) error { _, err := d.SensorStatus(); return err },
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			d, _, err := c.Devices.Get(t.Context(), s.first(t, tt.typ).ID)
			must(t, err)
			if d.DeviceType != tt.typ || d.HubID != s.hub.ID || d.PropertyID == nil || *d.PropertyID != richSite ||
				d.IoTThingName != d.ID || d.RemoteDeviceID == "" || d.DeviceName == "" || d.ZWaveSecurity != "non_secure" {
				t.Errorf("device %+v", d)
			}
			if _, err := smarthome.ParseISOTime(d.LogMinDate); err != nil {
				t.Errorf("log_mindate: %v", err)
			}
			if err := tt.check(t, d); err != nil {
				t.Fatalf("typed status: %v", err)
			}
			fitting := 0
			for _, acc := range accessors {
				if acc(d) == nil {
					fitting++
				}
			}
			if want := map[bool]int{true: 0, false: 1}[strings.HasSuffix(tt.typ, "bell") || tt.typ == "repeater"]; fitting != want {
				t.Errorf("%d typed accessors accept a %s, want %d", fitting, tt.typ, want)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		_, _, err := c.Devices.Get(t.Context(), "no-such-device")
		checkErr(t, err, smarthome.ErrNotFound, "Device not found")
		_, foreign := e.foreign()
		_, _, err = c.Devices.Get(t.Context(), foreign)
		checkErr(t, err, smarthome.ErrForbidden, "do not have access")
		_, _, err = e.resident().Devices.Get(t.Context(), s.first(t, "lock").ID) // property 103 is not the resident's
		checkErr(t, err, smarthome.ErrForbidden, "do not have access")
	})
}

func TestContractDeviceUpdate(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, richSite)
	sw := s.first(t, "switch")
	token := e.token(c)

	d, _, err := c.Devices.Update(ctx, sw.ID, smarthome.DeviceUpdate{DeviceName: smarthome.Ptr("Porch (east)"),
		OccupantSetting: smarthome.Ptr("Porch")})
	must(t, err)
	if d.DeviceName != "Porch (east)" || d.OccupantSetting != "Porch" || d.ID != sw.ID || len(d.Status) == 0 {
		t.Errorf("updated %+v", d)
	}
	d, _, err = c.Devices.Update(ctx, sw.ID, smarthome.DeviceUpdate{PropertyID: smarthome.Ptr(int64(102))})
	must(t, err)
	if d.PropertyID == nil || *d.PropertyID != 102 {
		t.Fatalf("assigned to %v, want 102", d.PropertyID)
	}
	moved, _, err := c.Properties.Devices(ctx, 102)
	must(t, err)
	if !slices.ContainsFunc(moved["switch"], func(x smarthome.Device) bool { return x.ID == sw.ID }) {
		t.Error("property 102 does not list the assigned switch")
	}

	server := []struct {
		name   string
		client *apiClient
		upd    smarthome.DeviceUpdate
		target error
		msg    string
	}{
		{"unknown property", c, smarthome.DeviceUpdate{PropertyID: smarthome.Ptr(int64(9999))}, smarthome.ErrValidation, "Property not found"},
		{"name too long", c, smarthome.DeviceUpdate{DeviceName: smarthome.Ptr(strings.Repeat("x", 101))}, smarthome.ErrValidation, "1 to 100 characters"},
		{"resident", e.resident(), smarthome.DeviceUpdate{DeviceName: smarthome.Ptr("x")}, smarthome.ErrForbidden, ""},
	}
	for _, tt := range server {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.client.Devices.Update(ctx, sw.ID, tt.upd)
			checkErr(t, err, tt.target, tt.msg)
		})
	}
	t.Run("empty name", func(t *testing.T) {
		before := c.rec.total()
		_, _, err := c.Devices.Update(ctx, sw.ID, smarthome.DeviceUpdate{DeviceName: smarthome.Ptr("")})
		checkLocal(t, c, before, err)
		e.wantRaw(token, "PUT", "/api/devices/"+sw.ID, map[string]string{"device_name": ""}, 422, "device_name must be 1 to 100 characters")
	})
	_, _, err = c.Devices.Update(ctx, "no-such-device", smarthome.DeviceUpdate{DeviceName: smarthome.Ptr("x")})
	checkErr(t, err, smarthome.ErrNotFound, "Device not found")
}
