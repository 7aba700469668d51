package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBrowsePortfolio is the first thing a new member of staff does: sign in, open a property, find a hub by
// its serial number, sign out — and afterwards the old session opens nothing.
func TestBrowserBrowsePortfolio(t *testing.T) {
	a := startApp(t, nil)
	a.waitSynced(t)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/properties"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, "staff@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-staff-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=property-row]`),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/properties") {
		t.Errorf("after sign-in the browser is at %s, want back at /properties", loc)
	}
	role, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=user-role]`))
	if err != nil || !strings.Contains(strings.ToLower(role), "staff") {
		t.Errorf("user role badge = %q (%v), want the staff role", role, err)
	}

	name, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=property-row] [data-testid=property-link]`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=property-row] [data-testid=property-link]`),
		chromedp.WaitVisible(`[data-testid=property-details]`),
	); err != nil {
		t.Fatalf("open property: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Title())
	if !strings.Contains(title, strings.TrimSpace(name)) {
		t.Errorf("property page title %q does not name %q", title, name)
	}
	tz, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=property-timezone]`))
	if err != nil || !strings.Contains(tz, "/") {
		t.Errorf("property time zone = %q (%v), want an IANA zone", tz, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=hub-row]`)); err != nil {
		t.Errorf("property page lists no hub: %v", err)
	}

	// Search a hub by serial number: the htmx search narrows the list without a reload.
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/hubs"), chromedp.WaitVisible(`[data-testid=hub-row]`)); err != nil {
		t.Fatal(err)
	}
	serials, err := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=hub-row] [data-testid=hub-serial]`))
	if err != nil || len(serials) < 2 {
		t.Fatalf("hub list: %d rows (%v)", len(serials), err)
	}
	serial, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=hub-serial]`, chromedp.FromNode(serials[1])))
	if err != nil {
		t.Fatal(err)
	}
	serial = strings.TrimSpace(serial)
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#hub-q`, serial)); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, `[data-testid=hub-row]`, func(rows []*chromedp.Node) bool { return len(rows) == 1 })
	got, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=hub-row] [data-testid=hub-serial]`))
	if strings.TrimSpace(got) != serial {
		t.Errorf("search for serial %s shows hub %q", serial, got)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "q="+serial) {
		t.Errorf("search URL %q does not keep the query (push-url), err %v", loc, err)
	}

	// Sign out; the protected pages then send the browser to the login form.
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=logout]`),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.Navigate(a.URL+"/hubs"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
	); err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// TestBrowserRoleLimits: an auditor who opens the users page sees the 403 page, and has no link to it.
func TestBrowserRoleLimits(t *testing.T) {
	a := startApp(t, nil)
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(`[data-testid=login-email]`, "auditor@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-auditor-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=counts]`),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	links, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=nav-users]`, chromedp.AtLeast(0)))
	if len(links) != 0 {
		t.Errorf("auditor sees a Users link")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/users"), chromedp.WaitVisible(`[data-testid=error-page]`)); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=error-status]`))
	if !strings.Contains(status, "403") {
		t.Errorf("auditor on /users: status text %q, want 403", status)
	}
}

// waitRows polls the page until the nodes matching sel satisfy ok (htmx swaps land asynchronously).
func waitRows(t *testing.T, ctx context.Context, sel string, ok func([]*chromedp.Node) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
		if err == nil && ok(nodes) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("rows %s never reached the expected state", sel)
}
