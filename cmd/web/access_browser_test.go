package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3" // the test moves one guest link's window into the past, as time would
)

// accessProperty finds, through the pages, a demo property with a lock and every hub online; it returns the
// property's id and time zone.
func accessProperty(t *testing.T, a *testApp) (string, *time.Location) {
	t.Helper()
	c := a.client(t)
	a.login(t, c, "staff@example.com", "demo-staff-password")
	var ids []string
	pageDoc(t, c, a.URL+"/properties").Find(`[data-testid=property-row]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-property-id", ""))
	})
	for _, pid := range ids {
		p := pageDoc(t, c, a.URL+"/properties/"+pid)
		if p.Find(`[data-testid=device-group][data-type=lock]`).Length() == 0 ||
			p.Find(`[data-testid=hub-row] [data-testid=online-badge][data-online=false]`).Length() > 0 {
			continue
		}
		zone := strings.TrimSpace(p.Find(`[data-testid=property-timezone]`).Text())
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("property %s: zone %q: %v", pid, zone, err)
		}
		return pid, loc
	}
	t.Fatal("no demo property on the first page has a lock on online hubs")
	return "", nil
}

func pageDoc(t *testing.T, c *http.Client, u string) *goquery.Document {
	t.Helper()
	resp, err := c.Get(u)
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
	return doc
}

// signIn signs the browser in as email.
func signIn(t *testing.T, ctx context.Context, a *testApp, email, password string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, email),
		chromedp.SendKeys(`[data-testid=login-password]`, password),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=user-badge]`),
	); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

// localInput formats t for a datetime-local input in loc.
func localInput(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02T15:04") }

var sixDigits = regexp.MustCompile(`^\d{6}$`)

// TestBrowserReservationCode: staff create a reservation, watch its code reach the locks, and reveal it; a form
// with check-out before check-in is refused with a message and creates nothing.
func TestBrowserReservationCode(t *testing.T) {
	a := startApp(t, nil)
	a.waitSynced(t)
	pid, loc := accessProperty(t, a)
	ctx := browser(t)
	signIn(t, ctx, a, "staff@example.com", "demo-staff-password")
	in := time.Now().Add(48 * time.Hour)
	fill := func(name string, out time.Time, then chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(a.URL + "/properties/" + pid),
			chromedp.Click(`[data-testid=new-reservation]`),
			chromedp.WaitVisible(`[data-testid=reservation-form]`),
			chromedp.SendKeys(`[data-testid=res-guest-name]`, name),
			chromedp.SendKeys(`[data-testid=res-guest-email]`, "guest@example.com"),
			chromedp.SetValue(`[data-testid=res-check-in]`, localInput(in, loc)),
			chromedp.SetValue(`[data-testid=res-check-out]`, localInput(out, loc)),
			chromedp.Click(`[data-testid=reservation-submit]`),
			then,
		}
	}
	if err := chromedp.Do(ctx, fill("<b>Backwards</b>", in.Add(-time.Hour), chromedp.WaitVisible(`[data-testid=form-error]`))...); err != nil {
		t.Fatalf("refused form: %v", err)
	}
	msgs, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=form-errors]`))
	if !strings.Contains(msgs, "Check-out must be after check-in") || !strings.Contains(msgs, "cannot contain < or >") {
		t.Errorf("refusal says %q", msgs)
	}
	if err := chromedp.Do(ctx, fill("Ana Browser", in.Add(72*time.Hour), chromedp.WaitVisible(`[data-testid=reservation-details]`))...); err != nil {
		t.Fatalf("create: %v", err)
	}
	// The code-state panel polls until the locks have answered.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`[data-testid=code-status][data-in-flight=false] [data-testid=code-status-summary]`)); err != nil {
		t.Fatalf("the code never settled on the locks: %v", err)
	}
	if summary, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=code-status-summary]`)); !strings.HasPrefix(summary, "Set on") {
		t.Errorf("code state %q, want set on the locks", summary)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=code-reveal]`), chromedp.WaitVisible(`[data-testid=code-pin]`)); err != nil {
		t.Fatalf("reveal: %v", err)
	}
	if pin, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=code-pin]`)); !sixDigits.MatchString(strings.TrimSpace(pin)) {
		t.Errorf("revealed code %q", pin)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/properties/"+pid), chromedp.WaitVisible(`[data-testid=reservation-row]`)); err != nil {
		t.Fatal(err)
	}
	if rows, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=reservation-row]`)); len(rows) != 1 {
		t.Errorf("%d reservations listed, want only the accepted one", len(rows))
	}
}

// createGuestLink fills the link form on the open invitation page and returns the link it shows once.
func createGuestLink(t *testing.T, ctx context.Context, guest string, starts, ends time.Time, loc *time.Location) string {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`[data-testid=link-guest]`, guest),
		chromedp.SetValue(`[data-testid=link-starts]`, localInput(starts, loc)),
		chromedp.SetValue(`[data-testid=link-ends]`, localInput(ends, loc)),
		chromedp.SetValue(`[data-testid=link-instructions]`, "Side gate, then the blue door."),
		chromedp.Click(`[data-testid=link-allow-unlock]`),
	); err != nil {
		t.Fatalf("fill the link form for %s: %v", guest, err)
	}
	// Wait for the answer page: the page before it may show an earlier new link.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`[data-testid=link-submit]`)); err != nil {
		t.Fatalf("create link for %s: %v", guest, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`[data-testid=new-link-url]`)); err != nil {
		t.Fatalf("create link for %s: %v", guest, err)
	}
	link, err := chromedp.Run(ctx, chromedp.Value(`[data-testid=new-link-url]`))
	if err != nil || !strings.Contains(link, "/i/") {
		t.Fatalf("link %q (%v)", link, err)
	}
	return link
}

// TestBrowserGuestLinksAndMoveOut: staff invite a resident and make three guest links; a guest opens them before,
// during and after their windows (and unlocks during one); staff revoke one; then move the resident out and
// watch the locks confirm the removals.
func TestBrowserGuestLinksAndMoveOut(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "dashboard.db")
	a := startApp(t, map[string]string{"DATABASE_PATH": dbPath})
	a.waitSynced(t)
	pid, loc := accessProperty(t, a)
	ctx := browser(t)
	signIn(t, ctx, a, "staff@example.com", "demo-staff-password")
	now := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/invitations/new?property_id="+url.QueryEscape(pid)),
		chromedp.SendKeys(`[data-testid=inv-email]`, "tour.guest@example.com"),
		chromedp.SendKeys(`[data-testid=inv-name]`, "Tess Tour"),
		chromedp.SetValue(`[data-testid=inv-from]`, now.In(loc).AddDate(0, 0, -2).Format("2006-01-02")),
		chromedp.SetValue(`[data-testid=inv-to]`, now.In(loc).AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Click(`[data-testid=invitation-submit]`),
		chromedp.WaitVisible(`[data-testid=invitation-details]`),
	); err != nil {
		t.Fatalf("invite: %v", err)
	}
	invURL, _ := chromedp.Run(ctx, chromedp.Location())
	invURL, _, _ = strings.Cut(invURL, "?")
	during := createGuestLink(t, ctx, "Now Guest", now.Add(-time.Hour), now.Add(2*time.Hour), loc)
	before := createGuestLink(t, ctx, "Tomorrow Guest", now.Add(24*time.Hour), now.Add(26*time.Hour), loc)
	after := createGuestLink(t, ctx, "Past Guest", now.Add(time.Hour), now.Add(2*time.Hour), loc)
	shiftWindow(t, dbPath, "Past Guest", now.Add(-26*time.Hour), now.Add(-24*time.Hour)) // its window is now yesterday

	// During: the code and a working Unlock.
	if err := chromedp.Do(ctx, chromedp.Navigate(during), chromedp.WaitVisible(`[data-testid=guest-page][data-state=open]`)); err != nil {
		t.Fatalf("open link during its window: %v", err)
	}
	if code, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=guest-code]`)); !sixDigits.MatchString(strings.TrimSpace(code)) {
		t.Errorf("guest code %q", code)
	}
	if navs, _ := chromedp.Run(ctx, chromedp.Nodes(`nav`, chromedp.AtLeast(0))); len(navs) != 0 {
		t.Error("the guest page shows navigation")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=guest-unlock]`), chromedp.WaitVisible(`[data-testid=flash][data-kind=ok]`)); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	// Before: the window, no code.
	if err := chromedp.Do(ctx, chromedp.Navigate(before), chromedp.WaitVisible(`[data-testid=guest-page][data-state=before]`)); err != nil {
		t.Fatalf("open link before its window: %v", err)
	}
	if codes, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=guest-code]`, chromedp.AtLeast(0))); len(codes) != 0 {
		t.Error("a code is shown before the window")
	}
	// After: expired, nothing else.
	if err := chromedp.Do(ctx, chromedp.Navigate(after), chromedp.WaitVisible(`[data-testid=guest-closed]`)); err != nil {
		t.Fatalf("open link after its window: %v", err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=guest-closed-title]`)); title != "This link has expired" {
		t.Errorf("after the window: %q", title)
	}

	// Staff see each link's status and revoke the one in use; it stops working at once.
	if err := chromedp.Do(ctx, chromedp.Navigate(invURL), chromedp.WaitVisible(`[data-testid=links-table]`)); err != nil {
		t.Fatal(err)
	}
	statuses, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=links-table] tbody`))
	for _, want := range []string{"Active", "Scheduled", "Expired"} {
		if !strings.Contains(statuses, want) {
			t.Errorf("links table %q lacks status %s", statuses, want)
		}
	}
	revokeRow(t, ctx, "Now Guest")
	if err := chromedp.Do(ctx, chromedp.Navigate(during), chromedp.WaitVisible(`[data-testid=guest-closed]`)); err != nil {
		t.Fatalf("open the revoked link: %v", err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=guest-closed-title]`)); title != "This link is not valid" {
		t.Errorf("revoked link says %q", title)
	}

	// Move the resident out: confirm, then watch every removal confirmed by the locks.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(invURL),
		chromedp.Click(`[data-testid=revoke-invitation]`),
		chromedp.WaitVisible(`[data-testid=move-out-preview]`),
		chromedp.Click(`[data-testid=move-out-confirm]`),
		chromedp.WaitVisible(`[data-testid=move-out-progress]`),
		chromedp.WaitVisible(`[data-testid=move-out-done]`),
	); err != nil {
		t.Fatalf("move-out: %v", err)
	}
	if items, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=move-out-item][data-confirmed=true]`)); len(items) < 2 {
		t.Errorf("%d confirmed removals, want the invitation and the tomorrow link at least", len(items))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(before), chromedp.WaitVisible(`[data-testid=guest-closed]`)); err != nil {
		t.Errorf("the moved-out resident's guest link still opens: %v", err)
	}
}

// revokeRow revokes the guest link of guest on the open invitation page.
func revokeRow(t *testing.T, ctx context.Context, guest string) {
	t.Helper()
	js := `(() => { const r = [...document.querySelectorAll("[data-testid=link-row]")].find(r => r.textContent.includes(` +
		strconv.Quote(guest) + `)); return r ? r.dataset.linkId : ""; })()`
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil || id == "" {
		t.Fatalf("no link row for %s (%v)", guest, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=link-row][data-link-id="`+id+`"] [data-testid=link-revoke]`),
		chromedp.WaitVisible(`[data-testid=flash][data-kind=ok]`)); err != nil {
		t.Fatalf("revoke %s: %v", guest, err)
	}
}

// shiftWindow moves the window of the guest's link, as the passing of time would (the app has no clock to move).
func shiftWindow(t *testing.T, dbPath, guest string, starts, ends time.Time) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.ExecContext(t.Context(), `UPDATE guest_links SET starts_at = ?, ends_at = ? WHERE guest_name = ?`,
		starts.UnixMilli(), ends.UnixMilli(), guest)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("shift the window of %s: %v (%d rows)", guest, err, n)
	}
}
