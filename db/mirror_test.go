package db

import (
	"reflect"
	"testing"
	"time"
)

func TestPropertyUpsertGetDelete(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	p := Property{ID: 7, Name: "Maple Court", Address: "1 Maple Ct, Austin, TX", StreetAddress: "1 Maple Ct",
		City: "Austin", State: "TX", Zipcode: "78701", TimeZone: "America/Chicago", Latitude: "30.1",
		Longitude: "-97.7", SyncedAt: t0}
	must(t, s.UpsertProperty(ctx, p))
	got, err := s.Property(ctx, 7)
	if err != nil || got != p {
		t.Fatalf("Property = %+v, %v; want %+v", got, err, p)
	}
	p.Name, p.SyncedAt = "Maple Court (renamed)", t0.Add(time.Hour)
	must(t, s.UpsertProperty(ctx, p))
	if got, _ := s.Property(ctx, 7); got != p {
		t.Fatalf("after update: %+v", got)
	}
	must(t, s.UpsertHub(ctx, Hub{ID: "h1", PropertyID: ptr(int64(7)), SyncedAt: t0}))
	must(t, s.UpsertDevice(ctx, Device{ID: "d1", HubID: "h1", PropertyID: ptr(int64(7)), SyncedAt: t0}))

	must(t, s.DeleteProperty(ctx, 7))
	_, err = s.Property(ctx, 7)
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.DeleteProperty(ctx, 7), ErrNotFound)
	// As upstream: the property's hub and device stay, unassigned.
	h, err := s.Hub(ctx, "h1")
	if err != nil || h.PropertyID != nil {
		t.Fatalf("hub after property delete: %+v, %v", h, err)
	}
	d, err := s.Device(ctx, "d1")
	if err != nil || d.PropertyID != nil {
		t.Fatalf("device after property delete: %+v, %v", d, err)
	}
}

func TestHubAndDeviceRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.UpsertProperty(ctx, Property{ID: 1, Name: "P", SyncedAt: t0}))
	hb := t0.Add(-time.Minute)
	h := Hub{ID: "8f1c", PropertyID: ptr(int64(1)), SerialNo: "30011", HomeName: "Home", TimeZone: "America/Denver",
		Address: "1 Main", Status: "Online", Online: true, LastHeartbeatAt: &hb, PowerSource: "external",
		Battery: ptr(87), Signal: "12,39", Firmware: "1.2.3", Model: "V3", NetworkType: "cellular",
		Raw: `{"id":"8f1c"}`, SyncedAt: t0}
	must(t, s.UpsertHub(ctx, h))
	gotH, err := s.Hub(ctx, h.ID)
	if err != nil || !reflect.DeepEqual(gotH, h) {
		t.Fatalf("Hub = %+v, %v; want %+v", gotH, err, h)
	}
	d := Device{ID: "d1", HubID: h.ID, PropertyID: ptr(int64(1)), Name: "Front door", OccupantSetting: "Front",
		Type: "lock", Battery: ptr(55), Online: true, Alert: AlertJammed, State: `{"mode":{"type":"locked"}}`,
		Settings: `{}`, StateChangedAt: t0.Add(-time.Hour), SyncedAt: t0}
	must(t, s.UpsertDevice(ctx, d))
	gotD, err := s.Device(ctx, d.ID)
	if err != nil || !reflect.DeepEqual(gotD, d) {
		t.Fatalf("Device = %+v, %v; want %+v", gotD, err, d)
	}
	bare := Device{ID: "d2", HubID: h.ID, SyncedAt: t0} // nil battery and property, zero StateChangedAt
	must(t, s.UpsertDevice(ctx, bare))
	if got, _ := s.Device(ctx, "d2"); got.Battery != nil || got.PropertyID != nil || !got.StateChangedAt.Equal(t0) {
		t.Fatalf("bare device = %+v", got)
	}

	wantErr(t, s.UpsertHub(ctx, Hub{ID: "h2", PropertyID: ptr(int64(99))}), ErrNotFound)
	wantErr(t, s.UpsertDevice(ctx, Device{ID: "d3", HubID: "nope"}), ErrNotFound)
	for _, bad := range []error{
		s.UpsertDevice(ctx, Device{ID: "d3", HubID: h.ID, Alert: "fire"}),
		s.UpsertDevice(ctx, Device{HubID: h.ID}),
		s.UpsertHub(ctx, Hub{}),
	} {
		if bad == nil {
			t.Error("invalid hub or device accepted")
		}
	}
	for _, err := range []error{
		func() error { _, err := s.Hub(ctx, "nope"); return err }(),
		func() error { _, err := s.Device(ctx, "nope"); return err }(),
		func() error { _, err := s.Property(ctx, 99); return err }(),
	} {
		wantErr(t, err, ErrNotFound)
	}

	hubs, err := s.HubsByProperty(ctx, 1)
	if err != nil || len(hubs) != 1 || hubs[0].ID != h.ID {
		t.Fatalf("HubsByProperty = %+v, %v", hubs, err)
	}
	devs, err := s.DevicesByHub(ctx, h.ID)
	if err != nil || len(devs) != 2 || devs[0].ID != "d2" || devs[1].ID != "d1" { // "" type sorts first
		t.Fatalf("DevicesByHub = %+v, %v", devs, err)
	}
	devs, err = s.DevicesByProperty(ctx, 1)
	if err != nil || len(devs) != 1 || devs[0].ID != "d1" {
		t.Fatalf("DevicesByProperty = %+v, %v", devs, err)
	}
	if devs, err := s.DevicesByProperty(ctx, 42); err != nil || devs == nil || len(devs) != 0 {
		t.Fatalf("DevicesByProperty(none) = %#v, %v; want an empty slice", devs, err)
	}
}

func TestUpdateHubLive(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.UpsertProperty(ctx, Property{ID: 1, SyncedAt: t0}))
	base := Hub{ID: "h", PropertyID: ptr(int64(1)), Status: "Online", Online: true, PowerSource: "external",
		Battery: ptr(90), SyncedAt: t0}
	must(t, s.UpsertHub(ctx, base))

	must(t, s.UpdateHubLive(ctx, "h", nil, nil, nil, nil, t0.Add(-time.Hour))) // nothing changes, not even SyncedAt
	if got, _ := s.Hub(ctx, "h"); !reflect.DeepEqual(got, base) {
		t.Fatalf("all-nil update changed the hub: %+v", got)
	}
	hb := t0.Add(time.Minute)
	must(t, s.UpdateHubLive(ctx, "h", ptr(false), &hb, ptr("battery"), ptr(40), t0.Add(time.Minute)))
	got, _ := s.Hub(ctx, "h")
	want := base
	want.Online, want.Status, want.LastHeartbeatAt, want.PowerSource, want.Battery, want.SyncedAt =
		false, "Offline", &hb, "battery", ptr(40), t0.Add(time.Minute)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after update %+v, want %+v", got, want)
	}
	checkCounters(t, s)
	must(t, s.UpdateHubLive(ctx, "h", ptr(true), nil, nil, nil, t0.Add(2*time.Minute)))
	if got, _ := s.Hub(ctx, "h"); !got.Online || got.Status != "Online" || got.Battery == nil || *got.Battery != 40 {
		t.Fatalf("back online: %+v", got)
	}
	checkCounters(t, s)
	wantErr(t, s.UpdateHubLive(ctx, "nope", ptr(true), nil, nil, nil, t0), ErrNotFound)
}

func TestUpdateDeviceLive(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(1, 1, 1, t0)))
	id := "dev-0000000"
	orig, err := s.Device(ctx, id)
	must(t, err)

	steps := []struct {
		name        string
		state       string
		battery     *int
		online      *bool
		alert       *string
		wantChanged bool
		check       func(Device) bool
	}{
		{"same values", orig.State, orig.Battery, ptr(true), ptr(""), false, func(d Device) bool { return d.State == orig.State }},
		{"state", `{"mode":{"type":"unlocked"}}`, nil, nil, nil, true, func(d Device) bool { return d.State == `{"mode":{"type":"unlocked"}}` }},
		{"battery low", "", ptr(LowBatteryPercent - 1), nil, nil, true, func(d Device) bool { return *d.Battery == LowBatteryPercent-1 }},
		{"battery at threshold", "", ptr(LowBatteryPercent), nil, nil, true, func(d Device) bool { return *d.Battery == LowBatteryPercent }},
		{"offline", "", nil, ptr(false), nil, true, func(d Device) bool { return !d.Online }},
		{"alert", "", nil, nil, ptr(AlertTamper), true, func(d Device) bool { return d.Alert == AlertTamper }},
		{"alert cleared", "", nil, nil, ptr(""), true, func(d Device) bool { return d.Alert == "" }},
	}
	at := t0
	for _, st := range steps {
		at = at.Add(time.Minute)
		before, _ := s.Device(ctx, id)
		must(t, s.UpdateDeviceLive(ctx, id, st.state, st.battery, st.online, st.alert, at))
		got, _ := s.Device(ctx, id)
		if !st.check(got) {
			t.Errorf("%s: device %+v", st.name, got)
		}
		if changed := !got.StateChangedAt.Equal(before.StateChangedAt); changed != st.wantChanged ||
			(changed && !got.StateChangedAt.Equal(at)) {
			t.Errorf("%s: StateChangedAt %v → %v, want changed=%v", st.name, before.StateChangedAt, got.StateChangedAt, st.wantChanged)
		}
		if !got.SyncedAt.Equal(at) {
			t.Errorf("%s: SyncedAt = %v, want %v", st.name, got.SyncedAt, at)
		}
		checkCounters(t, s)
		// The triggers' threshold must be the Go constant's.
		wantLow := 0
		if *got.Battery < LowBatteryPercent {
			wantLow = 1
		}
		if c, _ := s.PortfolioCounts(ctx); c.LowBattery != wantLow {
			t.Errorf("%s: portfolio LowBattery = %d, want %d", st.name, c.LowBattery, wantLow)
		}
		if pg, _ := s.ListProperties(ctx, PropertyFilter{}); pg.Items[0].LowBattery != wantLow {
			t.Errorf("%s: property LowBattery = %d, want %d", st.name, pg.Items[0].LowBattery, wantLow)
		}
	}
	wantErr(t, s.UpdateDeviceLive(ctx, "nope", "{}", nil, nil, nil, t0), ErrNotFound)
	if err := s.UpdateDeviceLive(ctx, id, "", nil, nil, ptr("fire"), t0); err == nil {
		t.Error("unknown alert accepted")
	}
}

// TestCountersFollowEveryWrite moves hubs and devices between properties, across the battery
// threshold, on and off line, and deletes them through cascades, checking the counts after each.
func TestCountersFollowEveryWrite(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	snap := genSnapshot(4, 2, 3, t0)
	must(t, s.ApplySync(ctx, snap))
	checkCounters(t, s)
	ops := []func() error{
		func() error { d := snap.Devices[0]; d.PropertyID = ptr(int64(1003)); return s.UpsertDevice(ctx, d) },
		func() error {
			d := snap.Devices[1]
			d.PropertyID = nil
			d.Battery = ptr(1)
			return s.UpsertDevice(ctx, d)
		},
		func() error {
			d := snap.Devices[2]
			d.Alert = AlertSmoke
			d.Battery = nil
			return s.UpsertDevice(ctx, d)
		},
		func() error {
			h := snap.Hubs[0]
			h.PropertyID = ptr(int64(1002))
			h.Online = false
			return s.UpsertHub(ctx, h)
		},
		func() error { return s.UpdateHubLive(ctx, snap.Hubs[3].ID, ptr(false), nil, nil, nil, t0) },
		func() error { return s.UpdateDeviceLive(ctx, snap.Devices[5].ID, "", ptr(3), nil, ptr(AlertLeak), t0) },
		func() error {
			_, err := s.w.ExecContext(ctx, `DELETE FROM hubs WHERE id = ?`, snap.Hubs[2].ID)
			return err
		},
		func() error { return s.DeleteProperty(ctx, 1001) },
		func() error { return s.ApplySync(ctx, genSnapshot(3, 2, 2, t0.Add(time.Hour))) },
	}
	for i, op := range ops {
		if err := op(); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		checkCounters(t, s)
	}
}
