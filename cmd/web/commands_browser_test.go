package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
)

// demoLock finds a lock of the demo's first property (its hub is always online) and its current state.
func demoLock(t *testing.T, a *testApp) (id, state string) {
	t.Helper()
	c := a.client(t)
	a.login(t, c, "staff@example.com", "demo-staff-password")
	get := func(path string) *goquery.Document {
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("GET %s: %d\n%.500s", path, resp.StatusCode, body)
		}
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	id = get("/properties/101").Find(`[data-testid=device-group][data-type=lock] [data-testid=device-row]`).First().AttrOr("data-device-id", "")
	if id == "" {
		t.Fatal("the demo's first property has no lock")
	}
	state = get("/devices/"+id).Find(`[data-testid=state-lock]`).AttrOr("data-lock", "")
	return id, state
}

// TestBrowserLockCommand: a member of staff clicks Lock (or Unlock) on a device page and watches the command card go
// from pending to succeeded, and the state panel change, without reloading the page.
func TestBrowserLockCommand(t *testing.T) {
	a := startApp(t, nil)
	a.waitSynced(t)
	id, state := demoLock(t, a)
	action, want := "lock", "locked"
	if state == "locked" {
		action, want = "unlock", "unlocked"
	}
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/devices/"+id),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, "staff@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-staff-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=lock-controls]`),
	)
	if err != nil {
		t.Fatalf("open the device page: %v", err)
	}
	// A marker that a reload would wipe: the card must change in this very page.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__noReload = "yes"`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=command-`+action+`]`),
		chromedp.WaitVisible(`[data-testid=command-notice]`),
	); err != nil {
		t.Fatalf("send %s: %v", action, err)
	}
	first, err := chromedp.Run(ctx, chromedp.AttributeValue(`[data-testid=command]`, "data-status"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Value != "pending" {
		t.Errorf("the new card shows %q first, want pending", first.Value)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(waitCtx, chromedp.WaitVisible(`[data-testid=command][data-status=succeeded]`)); err != nil {
		t.Fatalf("the card never turned succeeded: %v", err)
	}
	label, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=command] [data-testid=command-label]`))
	if !strings.EqualFold(strings.TrimSpace(label), action) {
		t.Errorf("card label %q, want %s", label, action)
	}
	if err := chromedp.Do(waitCtx, chromedp.WaitVisible(`[data-testid=state-lock][data-lock=`+want+`]`)); err != nil {
		t.Errorf("the state panel never showed %s: %v", want, err)
	}
	marker, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.__noReload || ""`))
	if err != nil || marker != "yes" {
		t.Errorf("the page reloaded (marker %q, %v)", marker, err)
	}
}
