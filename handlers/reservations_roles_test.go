package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/smarthome"
)

// accessRouteCases are the route cases of the access routes (reservations, invitations, guest links, move-outs),
// for routeCases in roles_test.go. They seed what the routes need: a reservation made by the staff user (so staff
// may reveal its code), one to cancel, an invitation with a guest link, and a move-out.
func accessRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ctx := t.Context()
	pid := propertyWithLock(t, env)
	ids := mirrorIDsT{property: strconv.FormatInt(pid, 10)}
	staffID := env.users[db.RoleStaff].ID
	in := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Minute)
	reservation := func(name string) string {
		r, _, err := env.api.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: &pid, GuestName: &name,
			CheckIn: &in, CheckOut: smarthome.Ptr(in.Add(time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		m := stays.MirrorReservation(*r)
		m.CreatedBy = &staffID
		if err := env.store.UpsertReservation(ctx, m); err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(r.ID, 10)
	}
	res, cancel := reservation("Role Case"), reservation("Role Cancel")
	email := "roles-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	created, _, err := env.api.Invitations.Create(ctx, smarthome.InvitationRequest{Email: email, PropertyID: pid, From: in})
	if err != nil {
		t.Fatal(err)
	}
	ups, _, err := env.api.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: pid, Email: email})
	if err != nil || len(ups) != 1 {
		t.Fatalf("invitation %d: %v %v", created.InvitationID, ups, err)
	}
	m, err := stays.MirrorInvitation(ups[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.UpsertInvitation(ctx, m); err != nil {
		t.Fatal(err)
	}
	_, hash, err := newGuestToken()
	if err != nil {
		t.Fatal(err)
	}
	link, err := env.store.CreateGuestLink(ctx, db.GuestLink{TokenHash: hash, InvitationID: m.ID, PropertyID: pid,
		GuestName: "Role Guest", StartsAt: in, EndsAt: in.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	mo, err := env.store.RecordMoveOut(ctx, db.MoveOut{PropertyID: pid, Email: "gone@example.com", RequestedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	inv, linkID, moID := strconv.FormatInt(m.ID, 10), strconv.FormatInt(link.ID, 10), strconv.FormatInt(mo.ID, 10)
	managers := []db.Role{db.RoleAdmin, db.RoleStaff}
	empty := url.Values{}
	guestToken := strings.Repeat("A", 43)
	return []routeCase{
		{pattern: "GET /reservations/new", method: "GET", path: "/reservations/new?property_id=" + ids.property, status: 200, allowed: managers},
		{pattern: "POST /reservations", method: "POST", path: "/reservations", form: empty, status: 422, allowed: managers},
		{pattern: "GET /reservations/{id}", method: "GET", path: "/reservations/" + res, status: 200, allowed: managers},
		{pattern: "POST /reservations/{id}", method: "POST", path: "/reservations/" + res, form: empty, status: 422, allowed: managers},
		{pattern: "POST /reservations/{id}/cancel", method: "POST", path: "/reservations/" + cancel + "/cancel", form: empty, status: 303, allowed: managers},
		{pattern: "POST /reservations/{id}/reveal", method: "POST", path: "/reservations/" + res + "/reveal", form: empty, status: 200, allowed: managers},
		{pattern: "GET /reservations/{id}/code", method: "GET", path: "/reservations/" + res + "/code", status: 200, allowed: managers},
		{pattern: "GET /invitations", method: "GET", path: "/invitations?q=roles", status: 200, allowed: managers},
		{pattern: "GET /invitations/new", method: "GET", path: "/invitations/new", status: 200, allowed: managers},
		{pattern: "POST /invitations", method: "POST", path: "/invitations", form: empty, status: 422, allowed: managers},
		{pattern: "GET /invitations/{id}", method: "GET", path: "/invitations/" + inv, status: 200, allowed: managers},
		{pattern: "POST /invitations/{id}", method: "POST", path: "/invitations/" + inv, form: empty, status: 422, allowed: managers},
		{pattern: "GET /invitations/{id}/code", method: "GET", path: "/invitations/" + inv + "/code", status: 200, allowed: managers},
		{pattern: "POST /invitations/{id}/links", method: "POST", path: "/invitations/" + inv + "/links", form: empty, status: 422, allowed: managers},
		{pattern: "POST /guest-links/{id}/revoke", method: "POST", path: "/guest-links/" + linkID + "/revoke", form: empty, status: 303, allowed: managers},
		{pattern: "GET /properties/{id}/access", method: "GET", path: "/properties/" + ids.property + "/access", status: 303, allowed: managers},
		{pattern: "GET /properties/{id}/move-out", method: "GET", path: "/properties/" + ids.property + "/move-out?email=nobody%40example.com", status: 200, allowed: managers},
		{pattern: "POST /properties/{id}/move-out", method: "POST", path: "/properties/" + ids.property + "/move-out", form: empty, status: 422, allowed: managers},
		{pattern: "GET /move-outs/{id}", method: "GET", path: "/move-outs/" + moID, status: 200, allowed: managers},
		{pattern: "GET /move-outs/{id}/progress", method: "GET", path: "/move-outs/" + moID + "/progress", status: 200, allowed: managers},
		{pattern: "GET /i/{token}", method: "GET", path: "/i/" + guestToken, public: true, status: 404, throttled: true},
		{pattern: "POST /i/{token}/unlock", method: "POST", path: "/i/" + guestToken + "/unlock", form: empty, public: true, status: 404, throttled: true},
	}
}

// propertyWithLock picks a mirrored property with a lock, so a reservation there gets a code.
func propertyWithLock(t *testing.T, env *testEnv) int64 {
	t.Helper()
	props, err := env.store.ListProperties(t.Context(), db.PropertyFilter{PerPage: db.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range props.Items {
		devs, err := env.store.DevicesByProperty(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == "lock" {
				return p.ID
			}
		}
	}
	t.Fatal("no mirrored property has a lock")
	return 0
}

// TestAccessRoles: admins and staff may use every access route; installers and auditors get 403 and see no
// button or link for them; signed-out visitors are sent to sign in; the guest routes need no account.
func TestAccessRoles(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	clients := map[db.Role]*http.Client{}
	for _, r := range roles {
		clients[r] = env.signedInClient(t, r)
	}
	for _, rc := range accessRouteCases(t, env) {
		for _, role := range roles {
			want := rc.status
			if !rc.public && !slices.Contains(rc.allowed, role) {
				want = http.StatusForbidden
			}
			res := env.do(t, clients[role], rc.method, rc.path, rc.form, env.sameOrigin())
			if res.status != want {
				t.Errorf("%s as %s: status %d, want %d", rc.pattern, role, res.status, want)
			}
		}
		res := env.do(t, env.client(t), rc.method, rc.path, rc.form, env.sameOrigin())
		if rc.public && res.status != rc.status || !rc.public && (res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login")) {
			t.Errorf("%s signed out: status %d Location %q", rc.pattern, res.status, res.location())
		}
	}
	ids := mirrorIDs(t, env)
	for _, role := range roles {
		manages := role == db.RoleAdmin || role == db.RoleStaff
		home := env.get(t, clients[role], "/properties/"+ids.property)
		if got := byTestID(home.doc, "nav-invitations").Length() == 1; got != manages {
			t.Errorf("%s: Invitations link shown = %v", role, got)
		}
		if got := byTestID(home.doc, "access-section").Length() == 1; got != manages {
			t.Errorf("%s: reservations and invitations section shown = %v", role, got)
		}
		if got := byTestID(home.doc, "new-reservation").Length() == 1; got != manages {
			t.Errorf("%s: New reservation button shown = %v", role, got)
		}
	}
}
