package db

import (
	"testing"
	"time"
)

// accessSnapshot is a two-property portfolio for the access tests.
func accessSnapshot(t *testing.T, s *Store) {
	t.Helper()
	must(t, s.ApplySync(t.Context(), Snapshot{At: t0, Properties: []Property{
		{ID: 1, Name: "Maple Court", TimeZone: "America/New_York"},
		{ID: 2, Name: "Oak Lane", TimeZone: "America/Chicago"},
	}}))
}

func TestReservationsMirror(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	accessSnapshot(t, s)
	u, err := s.CreateUser(ctx, User{Email: "staff@example.com", Name: "Staff", Role: RoleStaff})
	must(t, err)

	made := Reservation{ID: 7, PropertyID: 1, GuestName: "Ana", CheckIn: t0, CheckOut: t0.Add(48 * time.Hour),
		BufferBeforeMinutes: 60, BufferAfterMinutes: 30, LockCodeID: "lc-7", Status: ReservationConfirmed,
		CreatedBy: &u.ID, CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}
	must(t, s.UpsertReservation(ctx, made))
	got, err := s.Reservation(ctx, 7)
	must(t, err)
	if got.GuestName != "Ana" || !got.CheckOut.Equal(stored(made.CheckOut)) || got.CreatedBy == nil || *got.CreatedBy != u.ID {
		t.Fatalf("read back %+v", got)
	}

	// A refresh from the upstream does not know who made it: created_by stays. Another reservation is gone upstream.
	must(t, s.UpsertReservation(ctx, Reservation{ID: 8, PropertyID: 1, GuestName: "Ben", CheckIn: t0, CheckOut: t0.Add(time.Hour)}))
	fresh := made
	fresh.CreatedBy, fresh.GuestName = nil, "Ana Ruiz"
	must(t, s.ReplacePropertyReservations(ctx, 1, []Reservation{fresh}, t0.Add(time.Minute)))
	got, err = s.Reservation(ctx, 7)
	must(t, err)
	if got.GuestName != "Ana Ruiz" || got.CreatedBy == nil || *got.CreatedBy != u.ID {
		t.Errorf("after refresh: %+v, want the new name and the old creator", got)
	}
	_, err = s.Reservation(ctx, 8)
	wantErr(t, err, ErrNotFound)
	at, err := s.AccessRefreshedAt(ctx, "reservations:1")
	must(t, err)
	if !at.Equal(stored(t0.Add(time.Minute))) {
		t.Errorf("refreshed at %v", at)
	}

	// A list that names another property is refused whole.
	other := fresh
	other.ID, other.PropertyID = 9, 2
	if err := s.ReplacePropertyReservations(ctx, 1, []Reservation{fresh, other}, t0); err == nil {
		t.Error("a reservation of another property was accepted")
	}

	must(t, s.SetReservationStatus(ctx, 7, ReservationCancelled, t0.Add(time.Hour)))
	list, err := s.ReservationsByProperty(ctx, 1, time.Time{})
	must(t, err)
	if len(list) != 1 || list[0].Status != ReservationCancelled {
		t.Errorf("list = %+v", list)
	}
	list, err = s.ReservationsByProperty(ctx, 1, t0.Add(72*time.Hour))
	must(t, err)
	if len(list) != 0 {
		t.Errorf("a reservation that ended before since is listed: %+v", list)
	}
	wantErr(t, s.SetReservationStatus(ctx, 99, ReservationCancelled, t0), ErrNotFound)
	wantErr(t, s.UpsertReservation(ctx, Reservation{ID: 10, PropertyID: 404, CheckIn: t0, CheckOut: t0}), ErrNotFound)

	// Deleting the property (the sync no longer sees it) takes its reservations along.
	must(t, s.ApplySync(ctx, Snapshot{At: t0, Properties: []Property{{ID: 2, Name: "Oak Lane"}}}))
	_, err = s.Reservation(ctx, 7)
	wantErr(t, err, ErrNotFound)
}

func TestAccessRefreshedAtNever(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	at, err := s.AccessRefreshedAt(t.Context(), "invitations:all")
	must(t, err)
	if !at.IsZero() {
		t.Errorf("never refreshed reads %v", at)
	}
}
