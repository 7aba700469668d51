package db

import (
	"reflect"
	"testing"
	"time"
)

// scheduleFixture is a mirror with two properties (1000, 1001), each with one hub of three devices, the first
// device of each retyped as a thermostat.
func scheduleFixture(t *testing.T) (*Store, [2]string) {
	t.Helper()
	s := newStore(t)
	snap := genSnapshot(2, 1, 3, t0)
	snap.Devices[0].Type, snap.Devices[3].Type = "thermostat", "thermostat"
	must(t, s.ApplySync(t.Context(), snap))
	return s, [2]string{snap.Devices[0].ID, snap.Devices[3].ID}
}

func heatBlock(days []int, from, to string, heat int) ScheduleBlock {
	return ScheduleBlock{Days: days, From: from, To: to, Mode: "heat", HeatingSetpoint: ptr(heat)}
}

func testSchedule(id string, property *int64, blocks ...ScheduleBlock) Schedule {
	return Schedule{ID: id, Name: "Schedule " + id, DeviceType: "thermostat", PropertyID: property, Blocks: blocks,
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute), SyncedAt: t0.Add(2 * time.Minute)}
}

func scheduleIDs(scs []Schedule) []string {
	out := []string{}
	for _, sc := range scs {
		out = append(out, sc.ID)
	}
	return out
}

func TestScheduleUpsertGetDelete(t *testing.T) {
	t.Parallel()
	s, _ := scheduleFixture(t)
	ctx := t.Context()
	want := testSchedule("s1", ptr(int64(1000)), heatBlock([]int{1, 2, 3}, "07:00", "22:00", 68),
		ScheduleBlock{Days: []int{0}, From: "00:00", To: "23:59", Mode: "auto", HeatingSetpoint: ptr(66), CoolingSetpoint: ptr(75)})
	must(t, s.UpsertSchedule(ctx, want))
	got, err := s.Schedule(ctx, "s1")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	want.Name, want.Blocks = "Renamed", want.Blocks[:1]
	must(t, s.UpsertSchedule(ctx, want))
	if got, _ := s.Schedule(ctx, "s1"); got.Name != "Renamed" || len(got.Blocks) != 1 {
		t.Fatalf("after update: %+v", got)
	}
	must(t, s.DeleteSchedule(ctx, "s1"))
	_, err = s.Schedule(ctx, "s1")
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.DeleteSchedule(ctx, "s1"), ErrNotFound)
}

func TestScheduleUpsertRejects(t *testing.T) {
	t.Parallel()
	s, _ := scheduleFixture(t)
	tests := []struct {
		name string
		sc   Schedule
		want error
	}{
		{"unknown property", testSchedule("s1", ptr(int64(9))), ErrNotFound},
		{"no id", testSchedule("", nil), nil},
		{"unknown device type", func() Schedule { sc := testSchedule("s2", nil); sc.DeviceType = "lock"; return sc }(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.UpsertSchedule(t.Context(), tt.sc)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.want != nil {
				wantErr(t, err, tt.want)
			}
		})
	}
}

func TestSchedulesForDeviceFit(t *testing.T) {
	t.Parallel()
	s, _ := scheduleFixture(t)
	ctx := t.Context()
	p0, p1 := ptr(int64(1000)), ptr(int64(1001))
	for _, sc := range []Schedule{testSchedule("b-p0", p0), testSchedule("a-any", nil), testSchedule("c-p1", p1),
		func() Schedule { sc := testSchedule("d-switch", p0); sc.DeviceType = "switch"; return sc }()} {
		must(t, s.UpsertSchedule(ctx, sc))
	}
	tests := []struct {
		name     string
		typ      string
		property *int64
		want     []string
	}{
		{"thermostat of property 1000", "thermostat", p0, []string{"a-any", "b-p0"}},
		{"thermostat of property 1001", "thermostat", p1, []string{"a-any", "c-p1"}},
		{"unassigned thermostat", "thermostat", nil, []string{"a-any"}},
		{"switch of property 1000", "switch", p0, []string{"d-switch"}},
		{"dimmer", "dimmable_switch", p0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SchedulesForDevice(ctx, tt.typ, tt.property)
			must(t, err)
			if ids := scheduleIDs(got); !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
	byProp, err := s.SchedulesByProperty(ctx, 1000)
	must(t, err)
	if ids := scheduleIDs(byProp); !reflect.DeepEqual(ids, []string{"b-p0", "d-switch"}) {
		t.Errorf("SchedulesByProperty = %v", ids)
	}
}

func TestActiveSchedule(t *testing.T) {
	t.Parallel()
	s, devs := scheduleFixture(t)
	ctx := t.Context()
	_, err := s.DeviceScheduleState(ctx, devs[0])
	wantErr(t, err, ErrNotFound)
	must(t, s.UpsertSchedule(ctx, testSchedule("s1", ptr(int64(1000)))))
	must(t, s.SetActiveSchedule(ctx, devs[0], "s1", t0))
	st, err := s.DeviceScheduleState(ctx, devs[0])
	must(t, err)
	if st.ActiveID != "s1" || st.ActivatedAt == nil || !st.ActivatedAt.Equal(t0) || !st.SyncedAt.Equal(t0) {
		t.Fatalf("state %+v", st)
	}
	running, err := s.DevicesRunning(ctx, "s1")
	must(t, err)
	if !reflect.DeepEqual(running, []string{devs[0]}) {
		t.Errorf("DevicesRunning = %v", running)
	}
	wantErr(t, s.SetActiveSchedule(ctx, devs[0], "nope", t0), ErrNotFound)
	wantErr(t, s.SetActiveSchedule(ctx, "no-device", "s1", t0), ErrNotFound)

	// Deleting the schedule leaves the device running none.
	must(t, s.DeleteSchedule(ctx, "s1"))
	if st, _ := s.DeviceScheduleState(ctx, devs[0]); st.ActiveID != "" {
		t.Errorf("after delete the device still runs %q", st.ActiveID)
	}
}

func TestReplaceDeviceSchedules(t *testing.T) {
	t.Parallel()
	s, devs := scheduleFixture(t)
	ctx := t.Context()
	p0, p1 := ptr(int64(1000)), ptr(int64(1001))
	must(t, s.UpsertSchedule(ctx, testSchedule("gone", p0)))
	must(t, s.UpsertSchedule(ctx, testSchedule("other-property", p1)))
	must(t, s.UpsertSchedule(ctx, testSchedule("kept", p0)))
	must(t, s.SetActiveSchedule(ctx, devs[0], "kept", t0))

	at := t0.Add(time.Hour)
	must(t, s.ReplaceDeviceSchedules(ctx, DeviceScheduleSet{DeviceID: devs[0], DeviceType: "thermostat", PropertyID: p0,
		Schedules: []Schedule{testSchedule("kept", p0), testSchedule("new", nil), testSchedule("unknown-property", ptr(int64(77)))},
		ActiveID:  "kept", At: at}))
	got, err := s.SchedulesForDevice(ctx, "thermostat", p0)
	must(t, err)
	if ids := scheduleIDs(got); !reflect.DeepEqual(ids, []string{"kept", "new"}) {
		t.Errorf("schedules after replace = %v, want [kept new]", ids)
	}
	if _, err := s.Schedule(ctx, "other-property"); err != nil {
		t.Errorf("a schedule of another property was touched: %v", err)
	}
	st, err := s.DeviceScheduleState(ctx, devs[0])
	must(t, err)
	if st.ActiveID != "kept" || st.ActivatedAt == nil || !st.ActivatedAt.Equal(t0) || !st.SyncedAt.Equal(at) {
		t.Errorf("same active schedule: state %+v, want activation time kept and synced at %v", st, at)
	}

	// A different active schedule without a known activation time forgets the old one.
	must(t, s.ReplaceDeviceSchedules(ctx, DeviceScheduleSet{DeviceID: devs[0], DeviceType: "thermostat", PropertyID: p0,
		Schedules: []Schedule{testSchedule("kept", p0), testSchedule("new", nil)}, ActiveID: "new", At: at}))
	if st, _ := s.DeviceScheduleState(ctx, devs[0]); st.ActiveID != "new" || st.ActivatedAt != nil {
		t.Errorf("changed active schedule: state %+v", st)
	}
	// An active id the set does not hold is recorded as none.
	must(t, s.ReplaceDeviceSchedules(ctx, DeviceScheduleSet{DeviceID: devs[0], DeviceType: "thermostat", PropertyID: p0,
		ActiveID: "missing", At: at}))
	if st, _ := s.DeviceScheduleState(ctx, devs[0]); st.ActiveID != "" {
		t.Errorf("active %q, want none", st.ActiveID)
	}
	err = s.ReplaceDeviceSchedules(ctx, DeviceScheduleSet{DeviceID: "no-device", DeviceType: "thermostat", At: at})
	wantErr(t, err, ErrNotFound)
}

// TestSchedulesFollowTheirParents: a deleted property takes its schedules, a deleted device its state.
func TestSchedulesFollowTheirParents(t *testing.T) {
	t.Parallel()
	s, devs := scheduleFixture(t)
	ctx := t.Context()
	must(t, s.UpsertSchedule(ctx, testSchedule("s0", ptr(int64(1000)))))
	must(t, s.UpsertSchedule(ctx, testSchedule("s1", ptr(int64(1001)))))
	must(t, s.SetActiveSchedule(ctx, devs[0], "s0", t0))
	must(t, s.SetActiveSchedule(ctx, devs[1], "s1", t0))

	must(t, s.DeleteProperty(ctx, 1000))
	if _, err := s.Schedule(ctx, "s0"); err == nil {
		t.Error("the deleted property's schedule is still mirrored")
	}
	if st, err := s.DeviceScheduleState(ctx, devs[0]); err != nil || st.ActiveID != "" {
		t.Errorf("device of the deleted property: state %+v (%v), want none active", st, err)
	}

	snap := genSnapshot(2, 1, 3, t0.Add(time.Hour))
	snap.Devices = snap.Devices[:3] // the second property's devices vanished upstream
	must(t, s.ApplySync(ctx, snap))
	if _, err := s.DeviceScheduleState(ctx, devs[1]); err == nil {
		t.Error("a vanished device keeps its schedule state")
	}
	if _, err := s.Schedule(ctx, "s1"); err != nil {
		t.Errorf("the schedule of a property that still exists went with a device: %v", err)
	}
}

func TestScheduleQueryPlans(t *testing.T) {
	t.Parallel()
	s, _ := scheduleFixture(t)
	tests := []struct {
		name, query string
		args        []any
		want        string
	}{
		{"fit", `SELECT ` + scheduleCols + ` FROM schedules WHERE ` + fitCond + ` ORDER BY lower(name), id`,
			[]any{"thermostat", 1000}, "schedules_fit"},
		{"by property", `SELECT ` + scheduleCols + ` FROM schedules WHERE property_id = ? ORDER BY lower(name), id`,
			[]any{1000}, "schedules_"},
		{"devices running", `SELECT device_id FROM device_schedules WHERE active_schedule_id = ?`,
			[]any{"s"}, "device_schedules_active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, plan := usesIndex(t, s, tt.want, tt.query, tt.args...); !ok {
				t.Errorf("plan does not use %s:\n%s", tt.want, plan)
			}
		})
	}
}
