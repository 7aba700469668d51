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
)

// TestGuestLinkFormRejects: a bad link form gets a clear message and makes neither a link nor a code.
func TestGuestLinkFormRejects(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	invID := a.createInvitation(t, staff, "form@example.com", now, now.AddDate(0, 0, 3))
	starts := now.Add(2 * time.Hour)
	valid := func() url.Values {
		return url.Values{"guest_name": {"Fay"}, "starts": {a.local(starts)}, "ends": {a.local(starts.Add(time.Hour))}}
	}
	with := func(k, v string) url.Values { f := valid(); f.Set(k, v); return f }
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"ends before it starts", with("ends", a.local(starts.Add(-time.Hour))), "must end after it starts"},
		{"already over", url.Values{"guest_name": {"Fay"}, "starts": {a.local(now.Add(-3 * time.Hour))}, "ends": {a.local(now.Add(-2 * time.Hour))}}, "already ended"},
		{"outside the invitation", with("ends", a.local(now.AddDate(0, 0, 6))), "within the invitation's dates"},
		{"html in name", with("guest_name", "<b>Fay</b>"), "cannot contain < or >"},
		{"oversized name", with("guest_name", strings.Repeat("f", 59)), "at most 58 characters"},
		{"oversized instructions", with("instructions", strings.Repeat("i", 2001)), "at most 2000 characters"},
		{"control characters", with("instructions", "bell\a"), "not allowed"},
		{"missing name", with("guest_name", ""), "is required"},
		{"bad time", with("starts", "soon"), "must be a date and time"},
	}
	codes := func() int {
		lcs, _, err := a.api.LockCodes.List(ctx, smarthome.LockCodeListOptions{PropertyID: a.prop.ID, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(lcs)
	}
	before := codes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.postForm(t, staff, "/invitations/"+strconv.FormatInt(invID, 10)+"/links", tt.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if msg := text(res.doc.Find(`[data-testid="form-error"]`)); !strings.Contains(msg, tt.want) {
				t.Errorf("errors %q, want one saying %q", msg, tt.want)
			}
			if byTestID(res.doc, "new-link").Length() != 0 {
				t.Error("a refused form shows a link")
			}
		})
	}
	if links, _ := a.store.GuestLinksByInvitation(ctx, invID); len(links) != 0 || codes() != before {
		t.Errorf("refused forms made %d links and %d codes", len(links), codes()-before)
	}
}

// TestGuestLinkAcrossDST: a window over the spring-forward night is stored in UTC, written to the code in local
// time, shown with both abbreviations, and open at the right instants.
func TestGuestLinkAcrossDST(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	tr := nextTransition(t, a.loc, true).In(a.loc)
	day := tr.Format("2006-01-02")
	invID := a.createInvitation(t, staff, "night@example.com", time.Now(), time.Time{})
	res := a.postForm(t, staff, "/invitations/"+strconv.FormatInt(invID, 10)+"/links", url.Values{"guest_name": {"Night Owl"},
		"starts": {day + "T00:30"}, "ends": {day + "T05:00"}})
	wantStatus(t, res, http.StatusOK)
	links, err := a.store.GuestLinksByInvitation(ctx, invID)
	if err != nil || len(links) != 1 {
		t.Fatal(links, err)
	}
	l := links[0]
	wantStart := time.Date(tr.Year(), tr.Month(), tr.Day(), 0, 30, 0, 0, a.loc)
	if !l.StartsAt.Equal(wantStart) || l.EndsAt.Sub(l.StartsAt) != 3*time.Hour+30*time.Minute {
		t.Errorf("stored %v – %v: want 3h30 from %v (one wall-clock hour is skipped)", l.StartsAt, l.EndsAt, wantStart.UTC())
	}
	lc, _, err := a.api.LockCodes.Get(ctx, l.LockCodeID)
	if err != nil || lc.FromDate != day+" 00-30" || lc.ToDate != day+" 05-00" {
		t.Errorf("code window %+v (%v)", lc, err)
	}
	path := strings.TrimPrefix(one(t, res.doc, "new-link-url").AttrOr("value", ""), a.srv.URL)
	clock := &fakeClock{t: l.EndsAt.Add(-time.Minute)}
	srv := a.guestServer(t, clock.Now)
	page := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, page, http.StatusOK)
	std, _ := wantStart.Zone()
	dst, _ := l.EndsAt.In(a.loc).Zone()
	if w := text(one(t, page.doc, "guest-window")); !strings.Contains(w, "12:30 AM "+std) || !strings.Contains(w, "5:00 AM "+dst) {
		t.Errorf("window %q", w)
	}
	if one(t, page.doc, "guest-page").AttrOr("data-state", "") != "open" {
		t.Error("a minute before the end the window is not open")
	}
	clock.Advance(time.Minute)
	wantStatus(t, guestDo(t, "GET", srv.URL+path), http.StatusGone)
}

// TestGuestErrorHidesToken: when the store fails, the guest gets the generic error page and neither it nor the
// log carries the token.
func TestGuestErrorHidesToken(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	invID := a.createInvitation(t, staff, "fail@example.com", now, now.AddDate(0, 0, 1))
	path := a.createLink(t, staff, invID, "Fail", now.Add(time.Hour), now.Add(2*time.Hour), false)
	srv := a.guestServer(t, time.Now)
	a.closeStore()
	res := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, res, http.StatusInternalServerError)
	token := strings.TrimPrefix(path, "/i/")
	if strings.Contains(res.body, token) || strings.Contains(a.logs.String(), token) {
		t.Error("the token reached the error page or the log")
	}
	if !strings.Contains(a.logs.String(), `"path":"/i/…"`) {
		t.Error("the failure was not logged with the masked path")
	}
}
