package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestReservationLifecycle: create (the upstream makes the code, the locks confirm it), reveal the code (audited),
// shorten the stay (the code follows), cancel (the code leaves every lock).
func TestReservationLifecycle(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	in := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	out := in.Add(72 * time.Hour)
	id := a.createReservation(t, staff, "Ana Ruiz", in, out)
	path := "/reservations/" + strconv.FormatInt(id, 10)

	up, _, err := a.api.Reservations.Get(ctx, id)
	if err != nil || up.LockCodeID == "" || up.BufferBeforeMinutes != 60 || up.BufferAfterMinutes != 30 ||
		!up.CheckIn.Equal(in) || !up.CheckOut.Equal(out) {
		t.Fatalf("upstream reservation %+v (%v)", up, err)
	}
	mirror, err := a.store.Reservation(ctx, id)
	if err != nil || mirror.CreatedBy == nil || *mirror.CreatedBy != a.users[db.RoleStaff].ID || mirror.LockCodeID != up.LockCodeID {
		t.Fatalf("mirror %+v (%v)", mirror, err)
	}

	res := a.get(t, staff, path+"?flash=reservation-created")
	wantStatus(t, res, http.StatusOK)
	if got := text(one(t, res.doc, "reservation-status")); got != "Upcoming" {
		t.Errorf("status %q", got)
	}
	one(t, res.doc, "code-masked")
	if strings.Contains(res.body, up.Code.Reveal()) {
		t.Error("the page shows the code before it was revealed")
	}
	waitUntil(t, "the code set on every lock", func() bool {
		frag := a.get(t, staff, path+"/code", htmx)
		return frag.status == http.StatusOK && one(t, frag.doc, "code-status").AttrOr("data-in-flight", "") == "false" &&
			strings.HasPrefix(text(one(t, frag.doc, "code-status-summary")), "Set on")
	})

	reveal := a.postForm(t, staff, path+"/reveal", url.Values{}, htmx)
	wantStatus(t, reveal, http.StatusOK)
	if got := text(one(t, reveal.doc, "code-pin")); got != up.Code.Reveal() {
		t.Errorf("revealed %q, want the upstream's code", got)
	}
	if reveal.header.Get("Cache-Control") != "no-store" {
		t.Errorf("reveal Cache-Control %q", reveal.header.Get("Cache-Control"))
	}
	if strings.Contains(a.logs.String(), up.Code.Reveal()) {
		t.Error("the code reached the log")
	}

	// Shorten the stay by a day: the code's end moves with it (check-out + 30 min buffer).
	form := a.reservationForm("Ana Ruiz", in, out.Add(-24*time.Hour))
	wantStatus(t, a.postForm(t, staff, path, form), http.StatusSeeOther)
	lc, _, err := a.api.LockCodes.Get(ctx, up.LockCodeID)
	if err != nil {
		t.Fatal(err)
	}
	if want := out.Add(-24 * time.Hour).Add(30 * time.Minute).In(a.loc).Format(smarthome.LockCodeDateLayout); lc.ToDate != want {
		t.Errorf("after shortening, the code ends %q, want %q", lc.ToDate, want)
	}

	wantStatus(t, a.postForm(t, staff, path+"/cancel", url.Values{}), http.StatusSeeOther)
	if up, _, _ = a.api.Reservations.Get(ctx, id); up.Status != "cancelled" {
		t.Errorf("upstream status %q after cancel", up.Status)
	}
	waitUntil(t, "the code removed from every lock", func() bool {
		frag := a.get(t, staff, path+"/code", htmx)
		return text(one(t, frag.doc, "code-status-summary")) == "Removed from every lock"
	})
	page := a.get(t, staff, path)
	if got := text(one(t, page.doc, "reservation-status")); got != "Cancelled" {
		t.Errorf("status after cancel %q", got)
	}
	if byTestID(page.doc, "reservation-form").Length() != 0 {
		t.Error("a cancelled reservation still offers the edit form")
	}
	for _, want := range []string{"reservation.create:ok", "reservation.code_reveal:ok", "reservation.update:ok", "reservation.cancel:ok"} {
		action, outcome, _ := strings.Cut(want, ":")
		if !a.audited(t, action, outcome, strconv.FormatInt(id, 10)) {
			t.Errorf("no audit record %s", want)
		}
	}
}

// TestReservationRevealRights: the person who made a reservation and admins may reveal its code; other staff may not.
func TestReservationRevealRights(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	staff := a.signedInClient(t, db.RoleStaff)
	in := time.Now().Add(time.Hour).Truncate(time.Minute)
	id := a.createReservation(t, staff, "Ben", in, in.Add(time.Hour))
	path := "/reservations/" + strconv.FormatInt(id, 10) + "/reveal"
	other := a.createUser(t, "other@test.example", "Other Staff", db.RoleStaff)
	oc := a.client(t)
	a.loginAs(t, oc, other.Email, other.password)

	tests := []struct {
		name   string
		client *http.Client
		want   int
	}{
		{"creator", staff, http.StatusOK},
		{"admin", a.signedInClient(t, db.RoleAdmin), http.StatusOK},
		{"other staff", oc, http.StatusForbidden},
		{"auditor", a.signedInClient(t, db.RoleAuditor), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.postForm(t, tt.client, path, url.Values{})
			wantStatus(t, res, tt.want)
			if tt.want == http.StatusOK && byTestID(res.doc, "code-pin").Length() != 1 {
				t.Error("no code shown")
			}
			if tt.want != http.StatusOK && byTestID(res.doc, "code-pin").Length() != 0 {
				t.Error("a refused reveal shows the code")
			}
		})
	}
	if !a.audited(t, "reservation.code_reveal", db.OutcomeDenied, strconv.FormatInt(id, 10)) {
		t.Error("the refused reveal was not audited")
	}
}

// TestReservationFormRejects: bad input gets a clear message in the form, a 422, and changes nothing upstream or here.
func TestReservationFormRejects(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	in := time.Now().Add(48 * time.Hour)
	valid := func() url.Values { return a.reservationForm("Cy", in, in.Add(24*time.Hour)) }
	with := func(k, v string) url.Values { f := valid(); f.Set(k, v); return f }
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"check-out before check-in", with("check_out", a.local(in.Add(-time.Hour))), "Check-out must be after check-in"},
		{"unknown property", with("property_id", "999999"), "property \"999999\" is unknown"},
		{"property not a number", with("property_id", "<script>"), "is unknown"},
		{"script in name", with("guest_name", "<script>alert(1)</script>"), "cannot contain < or >"},
		{"oversized name", with("guest_name", strings.Repeat("n", 101)), "at most 100 characters"},
		{"far too long field", with("guest_name", strings.Repeat("n", 5000)), "far too long"},
		{"missing name", with("guest_name", "  "), "Guest name is required"},
		{"bad email", with("guest_email", "not-an-email"), "email address like"},
		{"email with markup", with("guest_email", `"<b>"@example.com`), "email address like"},
		{"bad phone", with("guest_phone", "call me"), "only digits"},
		{"bad time", with("check_in", "tomorrow"), "must be a date and time"},
		{"negative buffer", with("buffer_before", "-5"), "0 to 1440"},
		{"huge buffer", with("buffer_after", "99999"), "0 to 1440"},
		{"in the past", a.reservationForm("Cy", in.Add(-96*time.Hour), in.Add(-72*time.Hour)), "in the past"},
		{"too long a stay", with("check_out", a.local(in.Add(400*24*time.Hour))), "at most 366 days"},
	}
	before, _, err := a.api.Reservations.List(ctx, smarthome.ReservationListOptions{PropertyID: a.prop.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.postForm(t, staff, "/reservations", tt.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if msg := text(res.doc.Find(`[data-testid="form-error"]`)); !strings.Contains(msg, tt.want) {
				t.Errorf("errors %q, want one saying %q", msg, tt.want)
			}
			if strings.Contains(res.body, "<script>alert") {
				t.Error("the echoed form carries live markup")
			}
		})
	}
	after, _, err := a.api.Reservations.List(ctx, smarthome.ReservationListOptions{PropertyID: a.prop.ID})
	if err != nil {
		t.Fatal(err)
	}
	mirror, err := a.store.ReservationsByProperty(ctx, a.prop.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || len(mirror) != 0 {
		t.Errorf("refused forms changed something: upstream %d → %d, mirror %d", len(before), len(after), len(mirror))
	}
	wantStatus(t, a.get(t, staff, "/reservations/new?property_id=999999"), http.StatusNotFound)
}

// TestReservationUpstreamFailure: an upstream error is shown in the form with what to do, and nothing is mirrored.
func TestReservationUpstreamFailure(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	staff := a.signedInClient(t, db.RoleStaff)
	tests := []struct {
		name   string
		fault  simulator.Fault
		status int
		want   string
	}{
		{"server error", simulator.Fault{Route: "POST /api/reservations", Rate: 1, Status: 500}, http.StatusBadGateway, "failed or did not answer"},
		{"rate limited", simulator.Fault{Route: "POST /api/reservations", Burst429: 10}, http.StatusServiceUnavailable, "busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := a.sim.SetFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			defer a.sim.ClearFaults()
			in := time.Now().Add(24 * time.Hour)
			res := a.postForm(t, staff, "/reservations", a.reservationForm("Dan", in, in.Add(time.Hour)))
			wantStatus(t, res, tt.status)
			if msg := text(one(t, res.doc, "form-error")); !strings.Contains(msg, tt.want) || !strings.Contains(msg, "Nothing") {
				t.Errorf("message %q", msg)
			}
			if got := one(t, res.doc, "res-guest-name").AttrOr("value", ""); got != "Dan" {
				t.Errorf("the form lost what was typed: %q", got)
			}
		})
	}
	if rs, _ := a.store.ReservationsByProperty(t.Context(), a.prop.ID, time.Time{}); len(rs) != 0 {
		t.Errorf("a failed create left %d reservations in the mirror", len(rs))
	}
	if !a.audited(t, "reservation.create", db.OutcomeFailed, "") {
		t.Error("the failure was not audited")
	}
}
