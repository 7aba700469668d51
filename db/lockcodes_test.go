package db

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// lockCodeStore is a store with two properties of three locks each (dev-0000000..2 at property 1000,
// dev-0000003..5 at 1001) and one user.
func lockCodeStore(t *testing.T) (*Store, User) {
	t.Helper()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(2, 1, 3, t0)))
	u, err := s.CreateUser(t.Context(), User{Email: "issuer@example.com", Name: "Ivy Issuer", Role: RoleStaff, PasswordHash: "x"})
	must(t, err)
	return s, u
}

func testCode(id string, property int64, at time.Time, devs ...string) LockCode {
	c := LockCode{ID: id, PropertyID: property, HubID: "hub-000000", Name: "Code " + id, CodeType: "Guest Code",
		ValidityType: "Specific Period", StartsAt: ptr(t0.Add(time.Hour)), EndsAt: ptr(t0.Add(48 * time.Hour)),
		PINSealed: []byte("sealed-" + id), CreatedAt: t0, UpdatedAt: t0, SyncedAt: at}
	for i, d := range devs {
		c.Devices = append(c.Devices, LockCodeDevice{DeviceID: d, Status: LockCodeSet, Slot: ptr(i + 1),
			ReportedAt: at, CheckedAt: at})
	}
	return c
}

func TestLockCodeRoundTrip(t *testing.T) {
	t.Parallel()
	s, u := lockCodeStore(t)
	ctx := t.Context()
	c := testCode("c1", 1000, t0, "dev-0000000", "dev-0000001", "no-such-lock")
	c.CreatedBy = &u.ID
	must(t, s.UpsertLockCode(ctx, c))

	got, err := s.LockCode(ctx, "c1")
	must(t, err)
	if got.Name != c.Name || !got.StartsAt.Equal(*c.StartsAt) || !got.EndsAt.Equal(*c.EndsAt) ||
		!bytes.Equal(got.PINSealed, c.PINSealed) || got.Schedule != "[]" || got.CreatedByName != "Ivy Issuer" {
		t.Errorf("read back %+v", got)
	}
	if len(got.Devices) != 2 {
		t.Fatalf("devices %+v: want the two mirrored locks, the unknown one skipped", got.Devices)
	}
	if d := got.Devices[0]; d.Status != LockCodeSet || *d.Slot != 1 || !d.CheckedAt.Equal(t0) {
		t.Errorf("device state %+v", d)
	}

	// A later read without the issuer keeps the issuer; it drops the lock it no longer lists.
	later := testCode("c1", 1000, t0.Add(time.Minute), "dev-0000000")
	later.Name = "Renamed"
	must(t, s.UpsertLockCode(ctx, later))
	got, err = s.LockCode(ctx, "c1")
	must(t, err)
	if got.Name != "Renamed" || got.CreatedBy == nil || *got.CreatedBy != u.ID || len(got.Devices) != 1 {
		t.Errorf("after the later read: %+v", got)
	}

	// An older read changes nothing.
	older := testCode("c1", 1000, t0.Add(-time.Minute), "dev-0000000")
	older.Name = "Stale"
	older.Devices[0].Status = LockCodeFailed
	must(t, s.UpsertLockCode(ctx, older))
	got, _ = s.LockCode(ctx, "c1")
	if got.Name != "Renamed" || got.Devices[0].Status != LockCodeSet {
		t.Errorf("an older read overwrote the newer one: %+v", got)
	}
}

func TestLockCodeErrors(t *testing.T) {
	t.Parallel()
	s, _ := lockCodeStore(t)
	ctx := t.Context()
	tests := []struct {
		name string
		code LockCode
	}{
		{"unknown property", testCode("x1", 4242, t0, "dev-0000000")},
		{"no id", testCode("", 1000, t0)},
		{"unknown validity type", func() LockCode {
			c := testCode("x2", 1000, t0)
			c.ValidityType = "Sometimes"
			return c
		}()},
		{"period without dates", func() LockCode {
			c := testCode("x3", 1000, t0)
			c.EndsAt = nil
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.UpsertLockCode(ctx, tt.code); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, err := s.LockCode(ctx, "x1"); err == nil {
		t.Error("a failed upsert left a row")
	}
	wantErr(t, s.MarkLockCodeDeleted(ctx, "nope", t0, false), ErrNotFound)
}

func TestMarkLockCodeDeleted(t *testing.T) {
	t.Parallel()
	s, _ := lockCodeStore(t)
	ctx := t.Context()
	must(t, s.UpsertLockCode(ctx, testCode("c1", 1000, t0, "dev-0000000", "dev-0000001")))
	del := t0.Add(time.Hour)
	must(t, s.MarkLockCodeDeleted(ctx, "c1", del, false))
	got, _ := s.LockCode(ctx, "c1")
	if got.DeletedAt == nil || !got.DeletedAt.Equal(del) {
		t.Errorf("deleted_at %v", got.DeletedAt)
	}
	for _, d := range got.Devices {
		if d.Status != LockCodeRemoving || !d.Pending() {
			t.Errorf("lock %s: %s, want removing", d.DeviceID, d.Status)
		}
	}
	must(t, s.MarkLockCodeDeleted(ctx, "c1", del.Add(time.Minute), true))
	got, _ = s.LockCode(ctx, "c1")
	if !got.DeletedAt.Equal(del) {
		t.Errorf("a second mark moved deleted_at to %v", got.DeletedAt)
	}
	for _, d := range got.Devices {
		if d.Status != LockCodeRemoved || d.Slot != nil {
			t.Errorf("lock %s: %s slot %v, want removed without slot", d.DeviceID, d.Status, d.Slot)
		}
	}
	// The live list hides it once it is older than the cut-off; the recent list shows it.
	if codes, _ := s.LockCodesByProperty(ctx, 1000, del.Add(time.Second)); len(codes) != 0 {
		t.Errorf("deleted code listed after the cut-off: %d", len(codes))
	}
	if codes, _ := s.LockCodesByProperty(ctx, 1000, del); len(codes) != 1 {
		t.Errorf("recently deleted code not listed: %d", len(codes))
	}
}

func TestApplyLockCodeSync(t *testing.T) {
	t.Parallel()
	s, _ := lockCodeStore(t)
	ctx := t.Context()
	must(t, s.UpsertLockCode(ctx, testCode("keep", 1000, t0, "dev-0000000")))
	must(t, s.UpsertLockCode(ctx, testCode("vanish", 1000, t0, "dev-0000001")))
	must(t, s.UpsertLockCode(ctx, testCode("fresh", 1000, t0.Add(2*time.Minute), "dev-0000002"))) // read after the list began
	must(t, s.UpsertLockCode(ctx, testCode("other", 1001, t0, "dev-0000003")))
	must(t, s.UpsertLockCode(ctx, testCode("old", 1000, t0, "dev-0000000")))
	must(t, s.MarkLockCodeDeleted(ctx, "old", t0.Add(-2*LockCodeRetention), true))

	fetched := t0.Add(time.Minute)
	gone, err := s.ApplyLockCodeSync(ctx, 1000, []LockCode{testCode("keep", 1000, fetched, "dev-0000000"),
		testCode("new", 1000, fetched, "dev-0000001")}, fetched)
	must(t, err)
	if !slices.Equal(gone, []string{"vanish"}) {
		t.Errorf("gone = %v, want [vanish]", gone)
	}
	codes, err := s.LockCodesByProperty(ctx, 1000, time.Time{})
	must(t, err)
	state := map[string]string{}
	for _, c := range codes {
		state[c.ID] = c.Devices[0].Status
	}
	want := map[string]string{"keep": LockCodeSet, "new": LockCodeSet, "vanish": LockCodeRemoved, "fresh": LockCodeSet}
	if len(state) != len(want) {
		t.Errorf("codes %v, want %v (old purged)", state, want)
	}
	for id, st := range want {
		if state[id] != st {
			t.Errorf("%s: %q, want %q", id, state[id], st)
		}
	}
	if _, err := s.LockCode(ctx, "other"); err != nil {
		t.Errorf("another property's code was touched: %v", err)
	}
	if _, err := s.ApplyLockCodeSync(ctx, 1000, []LockCode{testCode("stray", 1001, fetched)}, fetched); err == nil {
		t.Error("a code of another property was accepted")
	}
}

func TestLockCodesByDeviceAndPending(t *testing.T) {
	t.Parallel()
	s, _ := lockCodeStore(t)
	ctx := t.Context()
	a := testCode("a", 1000, t0, "dev-0000000", "dev-0000001")
	a.Devices[1].Status = LockCodeSetting
	b := testCode("b", 1000, t0.Add(time.Second), "dev-0000001")
	b.Devices[0].Status = LockCodeRemoving
	must(t, s.UpsertLockCode(ctx, a))
	must(t, s.UpsertLockCode(ctx, b))
	must(t, s.UpsertLockCode(ctx, testCode("c", 1000, t0, "dev-0000002")))

	codes, err := s.LockCodesByDevice(ctx, "dev-0000001", time.Time{})
	must(t, err)
	if len(codes) != 2 || len(codes[0].Devices) != 2 {
		t.Fatalf("codes on dev-0000001: %+v", codes)
	}
	pending, err := s.PendingLockCodeIDs(ctx, 10)
	must(t, err)
	if !slices.Equal(pending, []string{"a", "b"}) {
		t.Errorf("pending %v, want [a b] (oldest check first)", pending)
	}
}
