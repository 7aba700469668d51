package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/smarthome"
)

// guestDo is a guest's browser: no cookies, no redirects followed.
func guestDo(t *testing.T, method, u string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

// guestLockLocked reads whether the upstream reports the lock locked.
func guestLockLocked(t *testing.T, a *accessEnv, id string) bool {
	t.Helper()
	d, _, err := a.api.Devices.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.LockStatus()
	if err != nil {
		t.Fatal(err)
	}
	return st.Locked()
}

// TestGuestLinkBeforeDuringAfter follows one link through its window with a clock the test moves: before it the
// page shows the window and no code; inside it the code and a working Unlock; after it only "expired". The token
// is unguessable and stored only as its hash; revoked and unknown links read the same.
func TestGuestLinkBeforeDuringAfter(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	invID := a.createInvitation(t, staff, "tour@example.com", now.AddDate(0, 0, -1), now.AddDate(0, 0, 7))
	starts := now.Add(time.Hour).Truncate(time.Minute)
	path := a.createLink(t, staff, invID, "Gina Guest", starts, starts.Add(2*time.Hour), true)

	token := strings.TrimPrefix(path, "/i/")
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Fatalf("token %d characters, %d bytes (%v): want 32 random bytes base64url", len(token), len(raw), err)
	}
	links, err := a.store.GuestLinksByInvitation(ctx, invID)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %+v (%v)", links, err)
	}
	sum := sha256.Sum256([]byte(token))
	if links[0].TokenHash != hex.EncodeToString(sum[:]) {
		t.Error("the stored hash is not the token's SHA-256")
	}
	lc, _, err := a.api.LockCodes.Get(ctx, links[0].LockCodeID)
	if err != nil || lc.FromDate != starts.In(a.loc).Format(smarthome.LockCodeDateLayout) ||
		lc.ToDate != starts.Add(2*time.Hour).In(a.loc).Format(smarthome.LockCodeDateLayout) {
		t.Fatalf("the guest's code %+v (%v) is not exactly the window", lc, err)
	}
	pin := lc.Code.Reveal()

	clock := &fakeClock{t: now}
	srv := a.guestServer(t, clock.Now)

	before := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, before, http.StatusOK)
	if one(t, before.doc, "guest-page").AttrOr("data-state", "") != "before" || byTestID(before.doc, "guest-code").Length() != 0 ||
		strings.Contains(before.body, pin) {
		t.Error("before the window the page shows a code")
	}
	if got := before.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := before.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	if got := text(one(t, before.doc, "guest-property")); got != a.prop.Name {
		t.Errorf("property %q", got)
	}
	if got := text(one(t, before.doc, "guest-instructions")); !strings.Contains(got, "<script>alert(1)</script>") ||
		strings.Contains(before.body, "<script>alert(1)") || before.doc.Find("main br").Length() != 1 {
		t.Errorf("instructions not shown as text on two lines: %q", got)
	}
	if byTestID(before.doc, "nav-properties").Length() != 0 {
		t.Error("the guest page carries the staff navigation")
	}
	wantStatus(t, guestDo(t, "POST", srv.URL+path+"/unlock"), http.StatusForbidden)

	// Inside the window: the code, and the Unlock button opens the locks.
	for _, l := range a.locks {
		if _, err := a.api.Devices.Command(ctx, l.ID, smarthome.LockCommand(true)); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the locks locked", func() bool { return guestLockLocked(t, a, a.locks[0].ID) })
	clock.Advance(90 * time.Minute)
	during := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, during, http.StatusOK)
	if got := text(one(t, during.doc, "guest-code")); got != pin {
		t.Errorf("code %q, want the window's code", got)
	}
	one(t, during.doc, "guest-unlock")
	unlock := guestDo(t, "POST", srv.URL+path+"/unlock")
	wantStatus(t, unlock, http.StatusSeeOther)
	if loc := unlock.header.Get("Location"); loc != path+"?unlock=sent" {
		t.Errorf("unlock answered Location %q", loc)
	}
	waitUntil(t, "the lock unlocked", func() bool { return !guestLockLocked(t, a, a.locks[0].ID) })
	if msg := text(one(t, guestDo(t, "GET", srv.URL+path+"?unlock=sent").doc, "flash")); !strings.Contains(msg, "unlock was sent") {
		t.Errorf("after unlock the page says %q", msg)
	}

	// After the window: expired, and nothing else.
	clock.Advance(2 * time.Hour)
	after := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, after, http.StatusGone)
	if got := text(one(t, after.doc, "guest-closed-title")); got != "This link has expired" {
		t.Errorf("after the window: %q", got)
	}
	if strings.Contains(after.body, pin) || strings.Contains(after.body, a.prop.Name) || strings.Contains(after.body, "Gina") {
		t.Error("the expired page reveals the code, the property or the guest")
	}
	wantStatus(t, guestDo(t, "POST", srv.URL+path+"/unlock"), http.StatusGone)

	// Staff see the status and the last use; revoking removes the code and the link reads like an unknown one.
	page := a.get(t, staff, "/invitations/"+strconv.FormatInt(invID, 10))
	row := one(t, page.doc, "link-row")
	if got := text(row.Find(`[data-testid="link-status"]`)); got != "Scheduled" {
		t.Errorf("staff see status %q (real clock: before the window)", got)
	}
	if got := text(row.Find(`[data-testid="link-uses"]`)); got != "3" {
		t.Errorf("staff see %s opens, want 3", got)
	}
	if text(row.Find(`[data-testid="link-last-used"]`)) == "—" {
		t.Error("staff see no last use")
	}
	wantStatus(t, a.postForm(t, staff, "/guest-links/"+strconv.FormatInt(links[0].ID, 10)+"/revoke", url.Values{}), http.StatusSeeOther)
	clock.Advance(-2 * time.Hour) // back inside the window: a revoked link still must not work
	revoked := guestDo(t, "GET", srv.URL+path)
	unknown := guestDo(t, "GET", srv.URL+"/i/"+strings.Repeat("A", 43))
	wantStatus(t, revoked, http.StatusNotFound)
	wantStatus(t, unknown, http.StatusNotFound)
	if revoked.body != unknown.body {
		t.Error("a revoked link reads differently from an unknown one")
	}
	if strings.Contains(revoked.body, pin) || strings.Contains(revoked.body, a.prop.Name) {
		t.Error("the revoked page reveals something")
	}
	waitUntil(t, "the revoked link's code gone from the upstream", func() bool {
		_, _, err := a.api.LockCodes.Get(ctx, links[0].LockCodeID)
		return err != nil
	})
	for _, want := range []struct{ action, outcome string }{
		{"guest_link.create", db.OutcomeOK}, {"guest_link.open", db.OutcomeOK}, {"guest_link.unlock", db.OutcomeOK},
		{"guest_link.unlock", db.OutcomeDenied}, {"guest_link.open", db.OutcomeDenied}, {"guest_link.revoke", db.OutcomeOK},
	} {
		if !a.audited(t, want.action, want.outcome, "") {
			t.Errorf("no audit record %s %s", want.action, want.outcome)
		}
	}
	for _, e := range a.audits(t) {
		if strings.Contains(e.Detail+e.TargetID, token) || strings.Contains(e.Detail, pin) {
			t.Errorf("audit entry %s carries the token or the code", e.Action)
		}
	}
	if strings.Contains(a.logs.String(), token) || strings.Contains(a.logs.String(), pin) {
		t.Error("the token or the code reached the log")
	}
}

// TestGuestLinkRateLimits: opening a link and pressing Unlock are limited per link; the first refusal is audited.
func TestGuestLinkRateLimits(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	invID := a.createInvitation(t, staff, "busy@example.com", now.AddDate(0, 0, -1), now.AddDate(0, 0, 2))
	path := a.createLink(t, staff, invID, "Busy", now.Add(-time.Hour).Truncate(time.Minute), now.Add(time.Hour), true)
	clock := &fakeClock{t: now}
	srv := a.guestServer(t, clock.Now)
	for i := range stays.GuestOpensPerLink {
		if res := guestDo(t, "GET", srv.URL+path); res.status != http.StatusOK {
			t.Fatalf("open %d: status %d", i+1, res.status)
		}
	}
	limited := guestDo(t, "GET", srv.URL+path)
	wantStatus(t, limited, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || secs <= 0 || secs > 3600 {
		t.Errorf("Retry-After %q", limited.header.Get("Retry-After"))
	}
	for i := range stays.GuestUnlocksPerLink {
		if res := guestDo(t, "POST", srv.URL+path+"/unlock"); res.status != http.StatusSeeOther {
			t.Fatalf("unlock %d: status %d", i+1, res.status)
		}
	}
	wantStatus(t, guestDo(t, "POST", srv.URL+path+"/unlock"), http.StatusTooManyRequests)
	denied := 0
	for _, e := range a.audits(t) {
		if e.Outcome == db.OutcomeDenied && strings.Contains(e.Detail, "rate limited") {
			denied++
		}
	}
	if denied != 2 {
		t.Errorf("%d rate-limit audit records, want 2 (one per action)", denied)
	}
}
