package db

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestSmallListsOrder: the per-property lists sorted in Go (to spare SQLite a sorter) come back in the order their
// doc comments promise, whatever order the rows were written in.
func TestSmallListsOrder(t *testing.T) {
	t.Parallel()
	s, _ := lockCodeStore(t)
	ctx := t.Context()
	const pid = 1000

	for i, h := range []struct{ id, name string }{{"hub-z", "beta"}, {"hub-b", "Alpha"}, {"hub-a", "alpha"}} {
		must(t, s.UpsertHub(ctx, Hub{ID: h.id, PropertyID: ptr(int64(pid)), HomeName: h.name, SerialNo: fmt.Sprint("S", i), SyncedAt: t0}))
	}
	hubs, err := s.HubsByProperty(ctx, pid)
	must(t, err)
	var hubIDs []string
	for _, h := range hubs {
		hubIDs = append(hubIDs, h.ID)
	}
	// genSnapshot's hub-000000 is "Home 000000"; names compare without case, ties by id.
	if want := []string{"hub-a", "hub-b", "hub-z", "hub-000000"}; !slices.Equal(hubIDs, want) {
		t.Errorf("hubs: %v, want %v", hubIDs, want)
	}

	for _, d := range []struct{ id, typ, name string }{{"d-3", "switch", "b"}, {"d-2", "lock", "Zed"}, {"d-1", "lock", "yak"}, {"d-0", "lock", "YAK"}} {
		must(t, s.UpsertDevice(ctx, Device{ID: d.id, HubID: "hub-000000", PropertyID: ptr(int64(pid)), Type: d.typ, Name: d.name, SyncedAt: t0}))
	}
	devs, err := s.DevicesByProperty(ctx, pid)
	must(t, err)
	for i := 1; i < len(devs); i++ {
		a, b := devs[i-1], devs[i]
		if a.Type > b.Type || a.Type == b.Type && compareFold(a.Name, b.Name) > 0 ||
			a.Type == b.Type && compareFold(a.Name, b.Name) == 0 && a.ID > b.ID {
			t.Errorf("devices out of order at %d: %s/%s/%s before %s/%s/%s", i, a.Type, a.Name, a.ID, b.Type, b.Name, b.ID)
		}
	}
	if i, j := slices.IndexFunc(devs, func(d Device) bool { return d.ID == "d-0" }), slices.IndexFunc(devs, func(d Device) bool { return d.ID == "d-1" }); i < 0 || j != i+1 {
		t.Errorf("YAK and yak (same name without case) are not next to each other by id: %d, %d", i, j)
	}

	for _, c := range []struct{ id, name string }{{"c3", "bravo"}, {"c1", "Charlie"}, {"c2", "ALPHA"}} {
		code := testCode(c.id, pid, t0, "dev-0000000")
		code.Name = c.name
		must(t, s.UpsertLockCode(ctx, code))
	}
	codes, err := s.LockCodesByProperty(ctx, pid, t0)
	must(t, err)
	var names []string
	for _, c := range codes {
		names = append(names, c.Name)
	}
	if want := []string{"ALPHA", "bravo", "Charlie"}; !slices.Equal(names, want) {
		t.Errorf("codes: %v, want %v", names, want)
	}

	for _, r := range []Reservation{
		{ID: 30, CheckIn: t0.Add(2 * time.Hour)}, {ID: 20, CheckIn: t0.Add(time.Hour)}, {ID: 10, CheckIn: t0.Add(2 * time.Hour)},
	} {
		r.PropertyID, r.GuestName, r.CheckOut, r.Status = pid, "G", r.CheckIn.Add(time.Hour), ReservationConfirmed
		must(t, s.UpsertReservation(ctx, r))
	}
	rs, err := s.ReservationsByProperty(ctx, pid, time.Time{})
	must(t, err)
	var rids []int64
	for _, r := range rs {
		rids = append(rids, r.ID)
	}
	if want := []int64{20, 10, 30}; !slices.Equal(rids, want) {
		t.Errorf("reservations: %v, want %v (by check-in, then id)", rids, want)
	}

	for _, inv := range []Invitation{{ID: 1, Status: InvitationActive}, {ID: 2, Status: "removed"}, {ID: 3, Status: InvitationActive}, {ID: 4, Status: "removed"}} {
		inv.PropertyID, inv.Email, inv.FromDate = pid, fmt.Sprint("i", inv.ID, "@example.com"), "2026-01-02"
		must(t, s.UpsertInvitation(ctx, inv))
	}
	invs, err := s.InvitationsByProperty(ctx, pid)
	must(t, err)
	var iids []int64
	for _, inv := range invs {
		iids = append(iids, inv.ID)
	}
	if want := []int64{3, 1, 4, 2}; !slices.Equal(iids, want) {
		t.Errorf("invitations: %v, want %v (active first, newest first)", iids, want)
	}
}

func TestCompareFold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"abc", "ABC", 0}, {"abc", "abd", -1}, {"B", "a", 1}, {"ab", "abc", -1}, {"", "", 0}, {"é", "É", 1}, {"Z", "[", 1},
	}
	for _, tt := range tests {
		if got := compareFold(tt.a, tt.b); got != tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
