package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// accessZone is the zone the access tests give their property: it has daylight saving time.
const accessZone = "America/New_York"

// accessEnv is a test env with one property that has locks on online hubs, in accessZone.
type accessEnv struct {
	*testEnv
	prop  db.Property
	locks []db.Device
	loc   *time.Location
}

// newAccessEnv picks (before the setup sync) a property with locks, brings its hubs online and moves it to
// accessZone, so the mirror knows it that way.
func newAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	var pid int64
	env := newTestEnv(t, withBeforeSync(func(t *testing.T, sim *simulator.Simulator, api *smarthome.Client) {
		ctx := t.Context()
		props, _, err := api.Properties.List(ctx, &smarthome.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range props {
			set, _, err := api.Properties.Devices(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(set["lock"]) == 0 {
				continue
			}
			for _, d := range set["lock"] {
				if err := sim.SetHubOnline(d.HubID, true); err != nil {
					t.Fatal(err)
				}
			}
			zone := accessZone
			if _, _, err := api.Properties.Update(ctx, p.ID, smarthome.PropertyRequest{TimeZone: &zone}); err != nil {
				t.Fatal(err)
			}
			pid = p.ID
			return
		}
		t.Fatal("no demo property has a lock")
	}))
	p, err := env.store.Property(t.Context(), pid)
	if err != nil {
		t.Fatal(err)
	}
	devs, err := env.store.DevicesByProperty(t.Context(), pid)
	if err != nil {
		t.Fatal(err)
	}
	a := &accessEnv{testEnv: env, prop: p, loc: tz.Load(accessZone)}
	for _, d := range devs {
		if d.Type == "lock" {
			a.locks = append(a.locks, d)
		}
	}
	if p.TimeZone != accessZone || len(a.locks) == 0 {
		t.Fatalf("property %d: zone %q, %d locks", pid, p.TimeZone, len(a.locks))
	}
	return a
}

// pid is the property's id as a form value.
func (a *accessEnv) pid() string { return strconv.FormatInt(a.prop.ID, 10) }

// local formats t as a datetime-local value in the property's zone.
func (a *accessEnv) local(t time.Time) string { return t.In(a.loc).Format("2006-01-02T15:04") }

// reservationForm is a valid create form for a stay from in to out.
func (a *accessEnv) reservationForm(name string, in, out time.Time) url.Values {
	return url.Values{"property_id": {a.pid()}, "guest_name": {name}, "guest_email": {"guest@example.com"},
		"guest_phone": {"+1 512 555 0100"}, "check_in": {a.local(in)}, "check_out": {a.local(out)},
		"buffer_before": {"60"}, "buffer_after": {"30"}}
}

// idFrom reads the id from a redirect Location such as /reservations/7?flash=….
func idFrom(t *testing.T, r response, prefix string) int64 {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	loc := strings.TrimPrefix(r.location(), prefix)
	loc, _, _ = strings.Cut(loc, "?")
	id, err := strconv.ParseInt(loc, 10, 64)
	if err != nil {
		t.Fatalf("Location %q: no id after %s", r.location(), prefix)
	}
	return id
}

// createReservation creates a reservation through the form and returns its id.
func (a *accessEnv) createReservation(t *testing.T, c *http.Client, name string, in, out time.Time) int64 {
	t.Helper()
	return idFrom(t, a.postForm(t, c, "/reservations", a.reservationForm(name, in, out)), "/reservations/")
}

// invitationForm is a valid create form from the date of from to the date of to (property-local).
func (a *accessEnv) invitationForm(email, name string, from, to time.Time) url.Values {
	v := url.Values{"property_id": {a.pid()}, "email": {email}, "name": {name}, "from": {from.In(a.loc).Format("2006-01-02")}}
	if !to.IsZero() {
		v.Set("to", to.In(a.loc).Format("2006-01-02"))
	}
	return v
}

// createInvitation invites a resident through the form and returns the invitation's id.
func (a *accessEnv) createInvitation(t *testing.T, c *http.Client, email string, from, to time.Time) int64 {
	t.Helper()
	return idFrom(t, a.postForm(t, c, "/invitations", a.invitationForm(email, "Resident "+email, from, to)), "/invitations/")
}

// createLink makes a guest link for an invitation and returns the link's URL path (/i/<token>).
func (a *accessEnv) createLink(t *testing.T, c *http.Client, invID int64, guest string, starts, ends time.Time, unlock bool) string {
	t.Helper()
	form := url.Values{"guest_name": {guest}, "starts": {a.local(starts)}, "ends": {a.local(ends)},
		"instructions": {"Use the side gate.\nRing twice. <script>alert(1)</script>"}}
	if unlock {
		form.Set("allow_unlock", "1")
	}
	res := a.postForm(t, c, "/invitations/"+strconv.FormatInt(invID, 10)+"/links", form)
	wantStatus(t, res, http.StatusOK)
	raw, ok := one(t, res.doc, "new-link-url").Attr("value")
	u, err := url.Parse(raw)
	if !ok || err != nil || !strings.HasPrefix(u.Path, "/i/") {
		t.Fatalf("new link URL %q (%v)", raw, err)
	}
	return u.Path
}

// waitFor polls cond every 20 ms for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// guestServer serves the guest routes through the real middleware with a clock the test sets; everything else
// (store, upstream) is the env's.
func (a *accessEnv) guestServer(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	logger, up := slog.New(slog.NewJSONHandler(a.logs, nil)), upstream.New(a.api)
	acc := &stayPages{Deps{Logger: logger, Store: a.store, Sessions: a.sessions, Upstream: up,
		Stays: stays.NewService(logger, a.store, up, stays.Options{Now: now})}}
	mux := http.NewServeMux()
	mux.Handle("GET /i/{token}", handleGuestPage(acc))
	mux.Handle("POST /i/{token}/unlock", handleGuestUnlock(acc))
	srv := httptest.NewServer(securityHeaders(false, http.NewCrossOriginProtection().Handler(mux)))
	t.Cleanup(srv.Close)
	return srv
}

// audits returns the audit log, oldest first.
func (a *accessEnv) audits(t *testing.T) []db.AuditEntry {
	t.Helper()
	entries, err := a.store.ListAudit(t.Context(), db.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(entries)
	return entries
}

// audited reports whether the log has an entry with the action and outcome (and, if given, the target id).
func (a *accessEnv) audited(t *testing.T, action, outcome, targetID string) bool {
	t.Helper()
	for _, e := range a.audits(t) {
		if e.Action == action && e.Outcome == outcome && (targetID == "" || e.TargetID == targetID) {
			return true
		}
	}
	return false
}
