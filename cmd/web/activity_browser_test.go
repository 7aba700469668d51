package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
)

// webhookSecret is the secret the browser tests configure: the embedded simulator signs with it, and the test
// posts its own deliveries with ?token=.
const webhookSecret = "browser-test-webhook-secret"

// TestBrowserActivityLive: staff keep a lock's page open; a delivery posted to the webhook shows up in its activity
// feed and turns its state panel without a reload, and is still there after one. The activity log page receives
// the next one live too.
func TestBrowserActivityLive(t *testing.T) {
	a := startApp(t, map[string]string{"WEBHOOK_SECRET": webhookSecret})
	a.waitSynced(t)
	lock, hub := a.findLock(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(`[data-testid=login-email]`, "staff@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-staff-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=counts]`),
		chromedp.Navigate(a.URL+"/devices/"+lock),
		chromedp.WaitVisible(`[data-testid=activity-feed-device]`),
	); err != nil {
		t.Fatalf("open the lock's page: %v", err)
	}
	waitStreamOpen(t, ctx)
	before, err := chromedp.Run(ctx, chromedp.AttributeValue(`[data-testid=state-lock]`, "data-lock"))
	if err != nil {
		t.Fatal(err)
	}
	msg, want := "Unlock", "unlocked"
	if before.Value == "unlocked" {
		msg, want = "Lock", "locked"
	}
	a.postWebhook(t, lock, hub, msg, "Browser Tester")
	row := fmt.Sprintf(`[data-testid=activity-feed-device] [data-testid=activity-rows] [data-testid=activity-row][data-message-type=%s]`, msg)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(row)); err != nil {
		t.Fatalf("the delivered %s never appeared in the open page's feed: %v", msg, err)
	}
	who, _ := chromedp.Run(ctx, chromedp.Text(row+` [data-testid=activity-who]`))
	if !strings.Contains(who, "Browser Tester") {
		t.Errorf("live row says who = %q", who)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`[data-testid=state-lock][data-lock=`+want+`]`)); err != nil {
		t.Errorf("the state panel did not turn %s live: %v", want, err)
	}

	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(row)); err != nil {
		t.Fatalf("the activity is gone after a reload: %v", err)
	}

	// The activity log, unfiltered, takes new rows on top.
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/activities"), chromedp.WaitVisible(`[data-testid=activity-results]`)); err != nil {
		t.Fatal(err)
	}
	waitStreamOpen(t, ctx)
	a.postWebhook(t, lock, hub, "access_denied", "Second Visitor")
	first := `[data-testid=activity-rows] [data-testid=activity-row]:first-child [data-testid=activity-who]`
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, _ := chromedp.Run(ctx, chromedp.Text(first))
		if strings.Contains(got, "Second Visitor") {
			break
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(`#activity-results`))
			t.Fatalf("the log's first row says %q, want the new delivery on top\n%.3000s", got, html)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStreamOpen waits until the page's EventSource (htmx-ext-sse on #live) is open and the re-read it triggers
// has landed, so what follows is pushed live rather than read by that refresh.
func waitStreamOpen(t *testing.T, ctx context.Context) {
	t.Helper()
	const js = `(function(){var l=document.getElementById('live');var d=l&&l['htmx-internal-data'];` +
		`return !!(d&&d.sseEventSource&&d.sseEventSource.readyState===1) && !document.querySelector('.htmx-request');})()`
	deadline := time.Now().Add(15 * time.Second)
	for {
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && open {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live stream never opened (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findLock returns a lock of the demo portfolio and its hub, read from the pages as an admin.
func (a *testApp) findLock(t *testing.T) (lock, hub string) {
	t.Helper()
	c := a.client(t)
	a.login(t, c, "admin@example.com", "demo-admin-password")
	doc := a.getDoc(t, c, "/hubs?offline=")
	var hubs []string
	doc.Find(`[data-testid=hub-row]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-online=true]`).Length() > 0 {
			hubs = append(hubs, s.AttrOr("data-hub-id", ""))
		}
	})
	for _, h := range hubs {
		page := a.getDoc(t, c, "/hubs/"+h)
		var found string
		page.Find(`[data-testid=device-row]`).Each(func(_ int, s *goquery.Selection) {
			if found == "" && strings.TrimSpace(s.Find(`td[data-label=Type]`).Text()) == "Lock" {
				found = s.AttrOr("data-device-id", "")
			}
		})
		if found != "" {
			return found, h
		}
	}
	t.Fatal("no lock on an online hub in the demo portfolio")
	return "", ""
}

func (a *testApp) getDoc(t *testing.T, c *http.Client, path string) *goquery.Document {
	t.Helper()
	resp, err := c.Get(a.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// postWebhook delivers an event about the device now, with the configured secret as the token.
func (a *testApp) postWebhook(t *testing.T, device, hub, messageType, user string) {
	t.Helper()
	a.postDelivery(t, fmt.Sprintf(`{"hub_id":%q,"home_name":"","serial_no":"","address":"","pms_datapull_id":"","device_id":%q,`+
		`"device_name":"","device_type":"lock","message_type":%q,"User":%q,"activity_time":%d}`,
		hub, device, messageType, user, time.Now().UnixMilli()))
}

// postDelivery posts a webhook body with the test's token and fails unless it was stored.
func (a *testApp) postDelivery(t *testing.T, body string) {
	t.Helper()
	resp, err := http.Post(a.URL+"/webhooks/smarthome?token="+webhookSecret, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"stored"`) {
		t.Fatalf("webhook answered %d %s", resp.StatusCode, b)
	}
}
