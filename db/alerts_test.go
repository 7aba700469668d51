package db

import (
	"errors"
	"testing"
	"time"
)

// TestAlertFlapsAndClears: seven reports of one leak make one alert with six flaps; a re-read of the same state
// (not a repeat) moves only last seen; a clear resolves it automatically; the next leak opens a second alert.
func TestAlertFlapsAndClears(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	leak := AlertRaise{Kind: AlertLeak, PropertyID: ptr(int64(7)), HubID: "hub-1", DeviceID: "dev-1", Detail: "Water", Repeat: true}
	var first Alert
	for i := range 7 {
		leak.At = t0.Add(time.Duration(i) * time.Minute)
		a, opened, err := s.RaiseAlert(ctx, leak)
		must(t, err)
		if opened != (i == 0) {
			t.Fatalf("report %d: opened %v", i, opened)
		}
		if i == 0 {
			first = a
		} else if a.ID != first.ID {
			t.Fatalf("report %d made alert %d beside %d", i, a.ID, first.ID)
		}
	}
	again := leak
	again.Repeat, again.At = false, t0.Add(time.Hour)
	a, opened, err := s.RaiseAlert(ctx, again)
	must(t, err)
	if opened || a.Flaps != 6 || !a.LastSeenAt.Equal(t0.Add(time.Hour)) || !a.OpenedAt.Equal(t0) {
		t.Errorf("after 7 reports and a re-read: opened %v, flaps %d, seen %v, opened at %v", opened, a.Flaps, a.LastSeenAt, a.OpenedAt)
	}
	if a.Severity != SeverityCritical || a.State != AlertOpen || *a.PropertyID != 7 || a.Detail != "Water" {
		t.Errorf("alert %+v", a)
	}
	cleared, err := s.ClearAlert(ctx, "hub-1", "dev-1", AlertLeak, t0.Add(2*time.Hour))
	must(t, err)
	if cleared.ID != first.ID || cleared.State != AlertResolved || cleared.ResolvedBy != nil ||
		cleared.ResolvedAt == nil || !cleared.ResolvedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("cleared %+v", cleared)
	}
	if _, err := s.ClearAlert(ctx, "hub-1", "dev-1", AlertLeak, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("clearing again: %v, want ErrNotFound", err)
	}
	second, opened, err := s.RaiseAlert(ctx, leak)
	must(t, err)
	if !opened || second.ID == first.ID || second.Flaps != 0 {
		t.Errorf("a leak after the clear: opened %v, id %d (first %d), flaps %d", opened, second.ID, first.ID, second.Flaps)
	}
	n, err := s.CountUnresolvedAlerts(ctx)
	must(t, err)
	if n != 1 {
		t.Errorf("%d unresolved, want 1", n)
	}
}

// TestAlertOneUnresolvedIndex: the partial unique index refuses a second unresolved row for the same subject and
// kind, whatever the code above it does, and allows any number of resolved ones.
func TestAlertOneUnresolvedIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	insert := func(state string, resolved any) error {
		_, err := s.w.ExecContext(ctx, `INSERT INTO alerts (kind, severity, state, hub_id, device_id, opened_at,
			last_seen_at, resolved_at) VALUES ('tamper', 'warning', ?, 'h', 'd', 1, 1, ?)`, state, resolved)
		return err
	}
	must(t, insert(AlertResolved, 5))
	must(t, insert(AlertResolved, 6))
	must(t, insert(AlertOpen, nil))
	if err := insert(AlertOpen, nil); !isUnique(err) {
		t.Errorf("second open alert: %v, want a unique violation", err)
	}
	if err := insert(AlertResolved, nil); err == nil {
		t.Error("a resolved alert without resolved_at was stored")
	}
}

// TestAlertAcknowledgeResolve: who and when are kept; acting on an alert in the wrong state is ErrConflict, on
// none ErrNotFound; the view names the people.
func TestAlertAcknowledgeResolve(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, User{Email: "ann@example.com", Name: "Ann", Role: RoleStaff, PasswordHash: "x"})
	must(t, err)
	a, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertHubOffline, HubID: "hub-9", At: t0})
	must(t, err)
	if a.Severity != SeverityWarning || a.DeviceID != "" {
		t.Errorf("hub alert %+v", a)
	}
	acked, err := s.AcknowledgeAlert(ctx, a.ID, u.ID, "on my way", t0.Add(time.Minute))
	must(t, err)
	if acked.State != AlertAcknowledged || *acked.AcknowledgedBy != u.ID || acked.AckNote != "on my way" ||
		!acked.AcknowledgedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("acknowledged %+v", acked)
	}
	if _, err := s.AcknowledgeAlert(ctx, a.ID, u.ID, "again", t0); !errors.Is(err, ErrConflict) {
		t.Errorf("acknowledging twice: %v, want ErrConflict", err)
	}
	// A repeat while acknowledged still counts, and keeps it acknowledged.
	bumped, opened, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertHubOffline, HubID: "hub-9", Repeat: true, At: t0.Add(2 * time.Minute)})
	must(t, err)
	if opened || bumped.State != AlertAcknowledged || bumped.Flaps != 1 {
		t.Errorf("repeat while acknowledged: opened %v, %+v", opened, bumped)
	}
	res, err := s.ResolveAlert(ctx, a.ID, u.ID, t0.Add(3*time.Minute))
	must(t, err)
	if res.State != AlertResolved || *res.ResolvedBy != u.ID || res.AckNote != "on my way" {
		t.Errorf("resolved %+v", res)
	}
	if _, err := s.ResolveAlert(ctx, a.ID, u.ID, t0); !errors.Is(err, ErrConflict) {
		t.Errorf("resolving twice: %v, want ErrConflict", err)
	}
	for name, err := range map[string]error{
		"acknowledge": func() error { _, err := s.AcknowledgeAlert(ctx, 999, u.ID, "", t0); return err }(),
		"resolve":     func() error { _, err := s.ResolveAlert(ctx, 999, u.ID, t0); return err }(),
		"get":         func() error { _, err := s.Alert(ctx, 999); return err }(),
		"view":        func() error { _, err := s.AlertView(ctx, 999); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s an unknown alert: %v, want ErrNotFound", name, err)
		}
	}
	v, err := s.AlertView(ctx, a.ID)
	must(t, err)
	if v.AcknowledgedByName != "Ann" || v.ResolvedByName != "Ann" {
		t.Errorf("view names %q, %q", v.AcknowledgedByName, v.ResolvedByName)
	}
}

// TestAlertList: every filter, and keyset pages that walk the whole list once.
func TestAlertList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(1, 1, 2, t0)))
	snap := genSnapshot(1, 1, 2, t0)
	hub, dev := snap.Hubs[0], snap.Devices[0]
	pid := snap.Properties[0].ID
	kinds := []string{AlertLeak, AlertSmoke, AlertTamper, AlertJammed, AlertLowBattery, AlertTemperatureHigh, AlertTemperatureLow}
	var ids []int64
	for i, k := range kinds {
		a, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: k, PropertyID: &pid, HubID: hub.ID, DeviceID: dev.ID,
			At: t0.Add(time.Duration(i) * time.Hour)})
		must(t, err)
		ids = append(ids, a.ID)
	}
	_, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertHubOffline, HubID: "other-hub", At: t0})
	must(t, err)
	_, err = s.ClearAlert(ctx, hub.ID, dev.ID, AlertSmoke, t0)
	must(t, err)

	tests := []struct {
		name string
		f    AlertFilter
		want int
	}{
		{"all", AlertFilter{}, 8},
		{"property", AlertFilter{PropertyID: &pid}, 7},
		{"hub", AlertFilter{HubID: "other-hub"}, 1},
		{"device", AlertFilter{DeviceID: dev.ID}, 7},
		{"kind", AlertFilter{Kind: AlertTamper}, 1},
		{"resolved", AlertFilter{State: AlertResolved}, 1},
		{"unresolved", AlertFilter{State: AlertUnresolved}, 7},
		{"opened after", AlertFilter{OpenedAfter: t0.Add(5 * time.Hour)}, 2},
		{"opened before", AlertFilter{OpenedBefore: t0.Add(time.Hour)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListAlerts(ctx, tt.f)
			must(t, err)
			if len(page.Items) != tt.want || page.NextBefore != 0 {
				t.Errorf("%d alerts (next %d), want %d", len(page.Items), page.NextBefore, tt.want)
			}
		})
	}
	page, err := s.ListAlerts(ctx, AlertFilter{DeviceID: dev.ID})
	must(t, err)
	if v := page.Items[len(page.Items)-1]; v.DeviceName == "" || v.HubName == "" || v.PropertyName == "" ||
		v.TimeZone != "America/Chicago" || v.ID != ids[0] {
		t.Errorf("oldest of the device: %+v", v)
	}
	var walked []int64
	f := AlertFilter{PropertyID: &pid, Limit: 3}
	for n := 0; n < 5; n++ {
		page, err := s.ListAlerts(ctx, f)
		must(t, err)
		for _, v := range page.Items {
			walked = append(walked, v.ID)
		}
		if page.NextBefore == 0 {
			break
		}
		f.Before = page.NextBefore
	}
	if len(walked) != len(ids) {
		t.Fatalf("walked %v, want %d alerts", walked, len(ids))
	}
	for i, id := range walked {
		if id != ids[len(ids)-1-i] {
			t.Errorf("walk %v, want newest first %v", walked, ids)
			break
		}
	}
}

// TestAlertThresholdsAndPending: rows round-trip, are replaced and removed; the CHECKs refuse values out of range;
// a pending condition keeps its first sighting.
func TestAlertThresholdsAndPending(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.SetAlertThresholds(ctx, AlertThresholds{PropertyID: GlobalThresholds, LowBatteryPercent: ptr(25), UpdatedAt: t0}))
	must(t, s.SetAlertThresholds(ctx, AlertThresholds{PropertyID: 12, TempHighF: ptr(85), TempLowF: ptr(50), UpdatedAt: t0}))
	must(t, s.SetAlertThresholds(ctx, AlertThresholds{PropertyID: 12, TempHighF: ptr(88), OfflineGraceMin: ptr(10), UpdatedAt: t0}))
	rows, err := s.ListAlertThresholds(ctx)
	must(t, err)
	if len(rows) != 2 || rows[0].PropertyID != 0 || *rows[0].LowBatteryPercent != 25 || rows[1].TempLowF != nil ||
		*rows[1].TempHighF != 88 || *rows[1].OfflineGraceMin != 10 || !rows[1].UpdatedAt.Equal(t0) {
		t.Errorf("rows %+v", rows)
	}
	for name, bad := range map[string]AlertThresholds{
		"battery":  {PropertyID: 1, LowBatteryPercent: ptr(80)},
		"grace":    {PropertyID: 1, OfflineGraceMin: ptr(-1)},
		"hot":      {PropertyID: 1, TempHighF: ptr(200)},
		"inverted": {PropertyID: 1, TempHighF: ptr(60), TempLowF: ptr(65)},
	} {
		if err := s.SetAlertThresholds(ctx, bad); err == nil {
			t.Errorf("%s out of range was stored", name)
		}
	}
	must(t, s.DeleteAlertThresholds(ctx, 12))
	if err := s.DeleteAlertThresholds(ctx, 12); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}

	since, err := s.PendAlert(ctx, "h", "", AlertHubOffline, t0)
	must(t, err)
	later, err := s.PendAlert(ctx, "h", "", AlertHubOffline, t0.Add(time.Hour))
	must(t, err)
	if !since.Equal(t0) || !later.Equal(t0) {
		t.Errorf("pending since %v then %v, want %v both times", since, later, t0)
	}
	p, err := s.PendingAlerts(ctx, AlertHubOffline)
	must(t, err)
	if len(p) != 1 || p[0].HubID != "h" {
		t.Errorf("pending %+v", p)
	}
	must(t, s.UnpendAlert(ctx, "h", "", AlertHubOffline))
	must(t, s.UnpendAlert(ctx, "h", "", AlertHubOffline))
	if p, _ := s.PendingAlerts(ctx, AlertHubOffline); len(p) != 0 {
		t.Errorf("still pending %+v", p)
	}
}
