package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestAccessSectionRefresh: the property page shows the mirrored reservations at once and, when that copy is old,
// asks to re-read the section after loading; the re-read brings in what changed upstream, never asks again, and
// during an upstream outage keeps the mirror with a notice.
func TestAccessSectionRefresh(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	pid := propertyWithLock(t, env)
	page := "/properties/" + strconv.FormatInt(pid, 10)
	c := env.signedInClient(t, db.RoleStaff)

	// Made upstream behind the dashboard's back: only a re-read can show it.
	in := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	guest := "Upstream Only Guest"
	if _, _, err := env.api.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: &pid, GuestName: &guest,
		CheckIn: &in, CheckOut: smarthome.Ptr(in.Add(2 * time.Hour))}); err != nil {
		t.Fatal(err)
	}

	res := env.get(t, c, page)
	wantStatus(t, res, http.StatusOK)
	sec := one(t, res.doc, "access-section")
	if sec.AttrOr("data-refreshing", "") != "true" || sec.AttrOr("hx-trigger", "") != "load" ||
		sec.AttrOr("hx-get", "") != page+"/access" || sec.AttrOr("hx-swap", "") != "outerHTML" {
		t.Fatalf("a never-read property's section does not ask for a re-read: %v", sec.Nodes[0].Attr)
	}
	one(t, res.doc, "access-refreshing")
	if strings.Contains(res.body, guest) {
		t.Fatal("the page waited for the upstream: the page itself must show only the mirror")
	}

	res = env.get(t, c, page+"/access", htmx)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(text(one(t, res.doc, "reservations-table")), guest) {
		t.Errorf("the re-read section does not show the upstream's reservation:\n%s", res.body)
	}
	if sec := one(t, res.doc, "access-section"); sec.AttrOr("hx-trigger", "") != "" || sec.AttrOr("data-refreshing", "") != "" {
		t.Error("the re-read section asks to re-read again (a loop)")
	}
	if byTestID(res.doc, "access-notice").Length() != 0 {
		t.Error("a successful re-read shows the outage notice")
	}

	res = env.get(t, c, page) // fresh now: no second read
	if sec := one(t, res.doc, "access-section"); sec.AttrOr("data-refreshing", "") != "" {
		t.Error("a property read moments ago asks for another re-read")
	}
	if !strings.Contains(res.body, guest) {
		t.Error("the mirror lost the re-read reservation")
	}

	// Make the copy old again, then fail the upstream: the section keeps the mirror and says why.
	mirrored, err := env.store.ReservationsByProperty(ctx, pid, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.ReplacePropertyReservations(ctx, pid, mirrored, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := env.sim.SetFault(simulator.Fault{Route: "GET /api/reservations", Rate: 1, Status: http.StatusInternalServerError}); err != nil {
		t.Fatal(err)
	}
	defer env.sim.ClearFaults()
	res = env.get(t, c, page)
	if sec := one(t, res.doc, "access-section"); sec.AttrOr("data-refreshing", "") != "true" {
		t.Fatal("an hour-old copy does not ask for a re-read")
	}
	res = env.get(t, c, page+"/access", htmx)
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "access-notice")
	if !strings.Contains(res.body, guest) {
		t.Error("during the outage the section dropped the mirrored reservation")
	}
	if sec := one(t, res.doc, "access-section"); sec.AttrOr("hx-trigger", "") != "" {
		t.Error("a failed re-read asks again at once (it would hammer a failing upstream)")
	}

	// Without htmx (a bookmarked or no-script visit) the route goes back to the page, with a flash on failure.
	res = env.get(t, c, page+"/access")
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != page+"?flash=access-unreadable" {
		t.Errorf("plain re-read during the outage goes to %q", got)
	}
	env.sim.ClearFaults()
	res = env.get(t, c, page+"/access")
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != page {
		t.Errorf("plain re-read goes to %q, want %q", got, page)
	}
	wantStatus(t, env.get(t, c, "/properties/999999999/access", htmx), http.StatusNotFound)
	wantStatus(t, env.get(t, c, "/properties/x/access", htmx), http.StatusNotFound)
}
