package smarthome_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

var everyDay = []int{0, 1, 2, 3, 4, 5, 6}

func thermostatBlock(from, to string, heat int) smarthome.ScheduleBlock {
	return smarthome.ScheduleBlock{Days: everyDay, From: from, To: to, Mode: "heat", HeatingSetpoint: smarthome.Ptr(heat)}
}

func scheduleIDs(list []smarthome.Schedule) []string {
	var ids []string
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids) // schedules made in the same instant are listed in id order
	return ids
}

func TestContractSchedules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	req := smarthome.ScheduleRequest{Name: smarthome.Ptr("Winter weekdays"), DeviceType: smarthome.Ptr("thermostat"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{thermostatBlock("07:00", "09:00", 68),
			{Days: []int{1, 2, 3, 4, 5}, From: "17:00", To: "22:00", Mode: "auto", HeatingSetpoint: smarthome.Ptr(66), CoolingSetpoint: smarthome.Ptr(76)}}}
	sc, resp, err := c.Schedules.Create(ctx, req)
	must(t, err)
	if resp.StatusCode != http.StatusCreated || sc.ID == "" || sc.Name != "Winter weekdays" || sc.DeviceType != "thermostat" ||
		sc.PropertyID != richSite || len(sc.Blocks) != 2 || len(sc.DeviceIDs) != 0 || !sc.CreatedAt.Equal(e.sim.Now()) {
		t.Fatalf("created %d %+v", resp.StatusCode, sc)
	}
	if b := sc.Blocks[1]; !slices.Equal(b.Days, []int{1, 2, 3, 4, 5}) || b.From != "17:00" || b.Mode != "auto" ||
		*b.HeatingSetpoint != 66 || *b.CoolingSetpoint != 76 || b.Power != nil {
		t.Errorf("block %+v", b)
	}
	sw, _, err := c.Schedules.Create(ctx, smarthome.ScheduleRequest{Name: smarthome.Ptr("Porch light"), DeviceType: smarthome.Ptr("switch"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{{Days: everyDay, From: "19:00", To: "23:00", Mode: "on"}}})
	must(t, err)

	tests := []struct {
		name string
		opts smarthome.ScheduleListOptions
		want []string
	}{
		{"by property", smarthome.ScheduleListOptions{PropertyID: richSite}, slices.Sorted(slices.Values([]string{sc.ID, sw.ID}))},
		{"by device type", smarthome.ScheduleListOptions{DeviceType: "switch"}, []string{sw.ID}},
		{"other property", smarthome.ScheduleListOptions{PropertyID: 101}, nil},
	}
	for _, tt := range tests {
		t.Run("list "+tt.name, func(t *testing.T) {
			list, resp, err := c.Schedules.List(ctx, tt.opts)
			must(t, err)
			if ids := scheduleIDs(list); !slices.Equal(ids, tt.want) || resp.TotalRecords != len(tt.want) {
				t.Errorf("ids %v (total %d), want %v", ids, resp.TotalRecords, tt.want)
			}
		})
	}
	t.Run("update", func(t *testing.T) {
		up, _, err := c.Schedules.Update(ctx, sc.ID, smarthome.ScheduleRequest{Name: smarthome.Ptr("Winter"),
			Blocks: []smarthome.ScheduleBlock{thermostatBlock("06:30", "08:00", 69)}})
		must(t, err)
		if up.Name != "Winter" || len(up.Blocks) != 1 || up.Blocks[0].From != "06:30" || up.DeviceType != "thermostat" {
			t.Errorf("updated %+v", up)
		}
		_, _, err = c.Schedules.Update(ctx, "no-such-schedule", smarthome.ScheduleRequest{Name: smarthome.Ptr("x")})
		checkErr(t, err, smarthome.ErrNotFound, "Schedule not found")
	})
	t.Run("delete", func(t *testing.T) {
		_, err := c.Schedules.Delete(ctx, sw.ID)
		must(t, err)
		list, _, err := c.Schedules.List(ctx, smarthome.ScheduleListOptions{})
		must(t, err)
		if ids := scheduleIDs(list); !slices.Equal(ids, []string{sc.ID}) {
			t.Errorf("after delete: %v", ids)
		}
		_, err = c.Schedules.Delete(ctx, sw.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Schedule not found")
	})
}

// TestContractScheduleRun: activation shows on the device, and the simulator applies a block at its start (hub
// local time) as a command would.
func TestContractScheduleRun(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, richSite)
	th := s.first(t, "thermostat")
	cur, err := th.ThermostatStatus()
	must(t, err)
	heat := 64
	if cur.HeatingSetpoint.Int() == heat {
		heat = 65
	}
	start := s.localNow(e).Add(10 * time.Minute)
	from := smarthome.ClockOf(start, s.loc).String()
	to := smarthome.ClockOf(start.Add(time.Hour), s.loc).String()
	sc, _, err := c.Schedules.Create(ctx, smarthome.ScheduleRequest{Name: smarthome.Ptr("Morning"), DeviceType: smarthome.Ptr("thermostat"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{thermostatBlock(from, to, heat)}})
	must(t, err)
	sw, _, err := c.Schedules.Create(ctx, smarthome.ScheduleRequest{Name: smarthome.Ptr("Light"), DeviceType: smarthome.Ptr("switch"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{{Days: everyDay, From: from, To: to, Mode: "on"}}})
	must(t, err)

	ds, _, err := c.Schedules.ListForDevice(ctx, th.ID)
	must(t, err)
	if ids := scheduleIDs(ds.Schedules); !slices.Equal(ids, []string{sc.ID}) || ds.ActiveScheduleID != "" {
		t.Fatalf("device schedules %v, active %q: want only the thermostat one, none active", ids, ds.ActiveScheduleID)
	}
	_, err = c.Schedules.Activate(ctx, th.ID, sw.ID)
	checkErr(t, err, smarthome.ErrValidation, "Schedule is for switch devices, not thermostat")
	_, err = c.Schedules.Activate(ctx, th.ID, "no-such-schedule")
	checkErr(t, err, smarthome.ErrNotFound, "Schedule not found")
	_, err = c.Schedules.Activate(ctx, th.ID, sc.ID)
	must(t, err)

	ds, _, err = c.Schedules.ListForDevice(ctx, th.ID)
	must(t, err)
	d, _, err := c.Devices.Get(ctx, th.ID)
	must(t, err)
	st, err := d.ThermostatStatus()
	must(t, err)
	var settings struct {
		Schedule string `json:"schedule"`
	}
	must(t, json.Unmarshal(d.Settings, &settings))
	id, since, err := smarthome.ParseThermostatSchedule(settings.Schedule)
	if ds.ActiveScheduleID != sc.ID || st.ScheduleID != sc.ID || err != nil || id != sc.ID || !since.Equal(e.sim.Now()) {
		t.Errorf("active %q, status schedule_id %q, settings.schedule %q (%v)", ds.ActiveScheduleID, st.ScheduleID, settings.Schedule, err)
	}
	list, _, err := c.Schedules.List(ctx, smarthome.ScheduleListOptions{PropertyID: richSite, DeviceType: "thermostat"})
	must(t, err)
	if len(list) != 1 || !slices.Equal(list[0].DeviceIDs, []string{th.ID}) {
		t.Errorf("schedule device_ids %v, want the activated thermostat", list)
	}

	e.advance(9 * time.Minute)
	if d, _, err = c.Devices.Get(ctx, th.ID); err == nil {
		st, err = d.ThermostatStatus()
	}
	must(t, err)
	if st.HeatingSetpoint.Int() == heat {
		t.Fatal("the block applied before its start")
	}
	e.advance(2 * time.Minute)
	d, _, err = c.Devices.Get(ctx, th.ID)
	must(t, err)
	wantThermostat("heat", heat, 0, "")(t, d)
	if st, _ := d.ThermostatStatus(); st.Source != "schedule" {
		t.Errorf("source %q, want schedule", st.Source)
	}
}
