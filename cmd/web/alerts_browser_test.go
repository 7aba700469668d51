package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// TestBrowserAlertAcknowledged: staff keep the Alerts page open; a leak webhook arrives and its alert shows up
// live; the rule's first step reaches the registered endpoint (signed); a person acknowledges the alert in the
// page, and the rule's escalation step is cancelled instead of sent.
func TestBrowserAlertAcknowledged(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "dashboard.db")
	a := startApp(t, map[string]string{"WEBHOOK_SECRET": webhookSecret, "DATABASE_PATH": dbPath,
		"PUBLIC_URL": "https://dash.test.example"})
	a.waitSynced(t)
	store, err := db.Open(t.Context(), dbPath) // a second handle on the app's database, as an admin's script would
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sensor, hub := leakSensor(t, store) // a dry one: a sync would re-open a leak the upstream still reports

	secret := "whsec_" + strings.Repeat("QUJD", 8)
	var mu sync.Mutex
	received := map[int64]int{} // webhooks per alert id
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := smarthome.VerifySignature(r.Header, body, []string{secret}, time.Now()); err != nil {
			t.Errorf("outbound webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var m struct {
			Data struct {
				AlertID int64 `json:"alert_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &m)
		mu.Lock()
		received[m.Data.AlertID]++
		mu.Unlock()
	}))
	got := func(id int64) int {
		mu.Lock()
		defer mu.Unlock()
		return received[id]
	}
	t.Cleanup(recv.Close)
	ctx := t.Context()
	ep, err := store.CreateNotifyEndpoint(ctx, db.NotifyEndpoint{Name: "PMS", URL: recv.URL, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateNotifyRule(ctx, db.NotifyRule{Name: "Leaks", Kinds: []string{db.AlertLeak},
		MinSeverity: db.SeverityWarning, QuietStart: -1, QuietEnd: -1, Enabled: true,
		Steps: []db.NotifyStep{{EndpointID: &ep.ID}, {DelayMinutes: 10, EndpointID: &ep.ID}}}); err != nil {
		t.Fatal(err)
	}

	bctx := browser(t)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(`[data-testid=login-email]`, "staff@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-staff-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=counts]`),
		chromedp.Navigate(a.URL+"/alerts"),
		chromedp.WaitVisible(`[data-testid=alert-results]`),
	); err != nil {
		t.Fatalf("open the Alerts page: %v", err)
	}
	waitStreamOpen(t, bctx)
	a.postDeviceEvent(t, sensor, hub, "leak_detected", `"yes"`)
	row := fmt.Sprintf(`[data-testid=alert][data-kind=leak][data-state=open] [data-testid=alert-link][href="/devices/%s"]`, sensor)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(row)); err != nil {
		html, _ := chromedp.Run(bctx, chromedp.OuterHTML(`[data-testid=alert-results]`))
		t.Fatalf("the leak alert never appeared live: %v\n%.3000s", err, html)
	}
	alert, err := store.UnresolvedAlert(ctx, hub, sensor, db.AlertLeak)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for got(alert.ID) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the rule's first step never reached the endpoint")
		}
		time.Sleep(50 * time.Millisecond)
	}

	open := fmt.Sprintf(`#alert-%d`, alert.ID)
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(open+` [data-testid=alert-note]`, "plumber on the way"),
		chromedp.Click(open+` [data-testid=alert-ack-button]`),
		chromedp.WaitVisible(open+`[data-state=acknowledged] [data-testid=alert-ack-note]`),
	); err != nil {
		html, _ := chromedp.Run(bctx, chromedp.OuterHTML(`[data-testid=alert-results]`))
		t.Fatalf("acknowledge in the page: %v\n%.3000s", err, html)
	}
	ns, err := store.ListNotifications(ctx, db.NotificationFilter{AlertID: alert.ID})
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, n := range ns {
		steps = append(steps, fmt.Sprintf("step %d %s", n.Step, n.State))
		if n.Step == 1 && n.State != db.NotifyCancelled || n.State == db.NotifyPending {
			t.Errorf("the escalation is %s after the acknowledgement, want cancelled", n.State)
		}
	}
	if len(ns) != 2 {
		t.Errorf("notifications %v, want the first step and the escalation", steps)
	}
	if n := got(alert.ID); n != 1 {
		t.Errorf("the endpoint got %d webhooks about the alert, want 1", n)
	}
}

// leakSensor finds a dry leak sensor (no alarm in the mirror, no open alert) on an online hub that has a property.
func leakSensor(t *testing.T, store *db.Store) (device, hub string) {
	t.Helper()
	res, err := store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		if !h.Hub.Online || h.Hub.PropertyID == nil {
			continue
		}
		devs, err := store.DevicesByHub(t.Context(), h.Hub.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type != "leakage_sensor" || d.PropertyID == nil || d.Alert != "" {
				continue
			}
			if _, err := store.UnresolvedAlert(t.Context(), h.Hub.ID, d.ID, db.AlertLeak); errors.Is(err, db.ErrNotFound) {
				return d.ID, h.Hub.ID
			}
		}
	}
	t.Fatal("no leak sensor on an online, assigned hub in the demo portfolio")
	return "", ""
}

// postDeviceEvent posts a device webhook with details and fails unless it was stored.
func (a *testApp) postDeviceEvent(t *testing.T, device, hub, messageType, details string) {
	t.Helper()
	a.postDelivery(t, fmt.Sprintf(`{"hub_id":%q,"home_name":"","serial_no":"","address":"","pms_datapull_id":"","device_id":%q,`+
		`"device_name":"","device_type":"leakage_sensor","message_type":%q,"details":%s,"activity_time":%d}`,
		hub, device, messageType, details, time.Now().UnixMilli()))
}
