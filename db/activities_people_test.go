package db

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/migrations"
)

// TestActivityAttribution: a lock event whose User names a lock code of the property is attributed to the guest
// of the reservation the code belongs to; the Who filter finds it by the guest's name as well as the code's.
func TestActivityAttribution(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(2, 1, 1, t0)))
	must(t, s.UpsertLockCode(t.Context(), LockCode{ID: "code-1", PropertyID: 1000, HubID: "hub-000000", Name: "Front Desk 12",
		ValidityType: "Never Expires", Schedule: "[]", PINSealed: []byte{1}, CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	must(t, s.UpsertReservation(t.Context(), Reservation{ID: 44, PropertyID: 1000, GuestName: "Jane Doe",
		GuestEmail: "jane@example.com", CheckIn: t0, CheckOut: t0.Add(48 * time.Hour), LockCodeID: "code-1",
		CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	unlock := func(n int, hub string, pid int64, user string) {
		a := newActivity(n, time.Duration(n)*time.Minute)
		a.HubID, a.PropertyID, a.Actor, a.MessageType, a.Kind = hub, ptr(pid), user, "Unlock", "lock.unlocked"
		ingest(t, s, IngestItem{Activity: a})
	}
	unlock(1, "hub-000000", 1000, "front desk 12") // the code, in another case
	unlock(2, "hub-000000", 1000, "Keypad")
	unlock(3, "hub-000001", 1001, "Front Desk 12") // same name at another property: not that code
	pg, err := s.ListActivities(t.Context(), ActivityFilter{})
	must(t, err)
	people := map[string]string{}
	for _, a := range pg.Items {
		people[a.HubID+"/"+a.Actor] = a.Person
	}
	want := map[string]string{"hub-000000/front desk 12": "Jane Doe (reservation 44)", "hub-000000/Keypad": "",
		"hub-000001/Front Desk 12": ""}
	for k, v := range want {
		if people[k] != v {
			t.Errorf("%s attributed to %q, want %q", k, people[k], v)
		}
	}
	for _, who := range []string{"Jane Doe", "jane@example.com", "FRONT DESK 12"} {
		pg, err := s.ListActivities(t.Context(), ActivityFilter{Who: who, PropertyID: 1000})
		must(t, err)
		if len(pg.Items) != 1 || pg.Items[0].Person != "Jane Doe (reservation 44)" {
			t.Errorf("who=%q found %d", who, len(pg.Items))
		}
	}
}

// TestActivityAttributionWithoutCodeRow: a reservation's code is attributed from the moment the reservation is
// mirrored, though the code itself was never read back (or was purged since).
func TestActivityAttributionWithoutCodeRow(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 1, t0)))
	must(t, s.UpsertReservation(t.Context(), Reservation{ID: 45, PropertyID: 1000, GuestName: "Ada Lovelace",
		CheckIn: t0, CheckOut: t0.Add(24 * time.Hour), LockCodeID: "code-never-read", Status: "cancelled",
		CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	must(t, s.UpsertInvitation(t.Context(), Invitation{ID: 9, PropertyID: 1000, Email: "grace@example.com",
		FromDate: "2026-11-29", Status: InvitationRemoved, LockCodeID: "code-purged", CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	must(t, s.UpsertLockCode(t.Context(), LockCode{ID: "code-purged", PropertyID: 1000, HubID: "hub-000000",
		Name: "Grace H", ValidityType: "Never Expires", PINSealed: []byte{1}, CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	_, err := s.w.ExecContext(t.Context(), `DELETE FROM lock_codes WHERE id = 'code-purged'`)
	must(t, err)
	for i, tt := range []struct{ actor, want string }{
		{"ada lovelace", "Ada Lovelace (reservation 45)"},
		{"grace@example.com", "grace@example.com (invitation 9)"},
		{"Grace H", "grace@example.com (invitation 9)"},
		{"Keypad", ""},
	} {
		a := newActivity(10+i, time.Hour)
		a.Actor, a.MessageType, a.Kind = tt.actor, "Unlock", "lock.unlocked"
		res := ingest(t, s, IngestItem{Activity: a})
		v, err := s.ActivityByID(t.Context(), res.ID)
		must(t, err)
		if v.Person != tt.want {
			t.Errorf("%q attributed to %q, want %q", tt.actor, v.Person, tt.want)
		}
	}
}

// TestAttributionBackfill: migration 0009 links what the mirror already held.
func TestAttributionBackfill(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 1, t0)))
	must(t, s.UpsertLockCode(t.Context(), LockCode{ID: "code-1", PropertyID: 1000, HubID: "hub-000000", Name: "Front Desk 12",
		ValidityType: "Never Expires", PINSealed: []byte{1}, CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	must(t, s.UpsertReservation(t.Context(), Reservation{ID: 44, PropertyID: 1000, GuestName: "Jane Doe",
		CheckIn: t0, CheckOut: t0.Add(48 * time.Hour), LockCodeID: "code-1", CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}))
	body, err := fs.ReadFile(migrations.SQLite, "0009_lock_code_people.sql")
	must(t, err)
	_, rest, _ := strings.Cut(string(body), "ON lock_code_people (property_id, lower(name));")
	_, err = s.w.ExecContext(t.Context(), `DELETE FROM lock_code_people`)
	must(t, err)
	_, err = s.w.ExecContext(t.Context(), rest)
	must(t, err)
	var got []string
	must(t, s.r.SelectContext(t.Context(), &got, `SELECT name || '=' || person FROM lock_code_people ORDER BY name`))
	want := []string{"Front Desk 12=Jane Doe (reservation 44)", "Jane Doe=Jane Doe (reservation 44)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("backfilled %q, want %q", got, want)
	}
}
