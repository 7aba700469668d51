package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

const testPublicURL = "https://dash.test.example"

// endpointReceiver is a PMS's webhook receiver: it checks the Standard Webhooks signature with the client's own
// verifier and keeps what it accepted.
type endpointReceiver struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (rc *endpointReceiver) handler(t *testing.T, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := smarthome.VerifySignature(r.Header, body, []string{secret}, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("body: %v", err)
		}
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, m)
		rc.mu.Unlock()
	})
}

func (rc *endpointReceiver) received() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.bodies...)
}

// TestAlertNotifiesAndLinks: a leak webhook opens an alert; the rule's first step is sent at once to a registered
// endpoint, signed, naming the property and device and linking to the alert's page, which exists (with its
// notifications for admins only); acknowledging it cancels the escalation step, which is never sent.
func TestAlertNotifiesAndLinks(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev, hub := env.assignedDevice(t, "leakage_sensor")
	at := time.Now().UTC().Truncate(time.Second)
	env.deliver(t, deviceEvent(dev, hub, "leak_cleared", `"no"`, "", at)) // whatever the seed left, start dry

	secret := "whsec_" + strings.Repeat("QUJD", 8)
	var rc endpointReceiver
	recv := httptest.NewServer(rc.handler(t, secret))
	t.Cleanup(recv.Close)
	ep, err := env.store.CreateNotifyEndpoint(ctx, db.NotifyEndpoint{Name: "PMS", URL: recv.URL, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.CreateNotifyRule(ctx, db.NotifyRule{Name: "Leaks", Kinds: []string{db.AlertLeak},
		MinSeverity: db.SeverityWarning, QuietStart: -1, QuietEnd: -1, Enabled: true,
		Steps: []db.NotifyStep{{EndpointID: &ep.ID}, {DelayMinutes: 15, Emails: []string{"oncall@test.example"}}}}); err != nil {
		t.Fatal(err)
	}

	env.deliver(t, deviceEvent(dev, hub, "leak_detected", `"yes"`, "", at.Add(time.Second)))
	alert := env.waitAlert(t, hub.ID, dev.ID, db.AlertLeak, isOpen)
	ns, err := env.store.ListNotifications(ctx, db.NotificationFilter{AlertID: alert.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 {
		t.Fatalf("%d notifications decided for the leak, want 2 (the endpoint now, the escalation later): %+v", len(ns), ns)
	}
	if sent := env.notify.SendDue(ctx); sent != 1 {
		t.Fatalf("SendDue sent %d, want 1 (the escalation waits 15 minutes)", sent)
	}
	got := rc.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d webhooks, want 1", len(got))
	}
	data, _ := got[0]["data"].(map[string]any)
	link := testPublicURL + "/alerts/" + strconv.FormatInt(alert.ID, 10)
	if data["url"] != link || data["kind"] != db.AlertLeak {
		t.Errorf("webhook data %v: want url %s and kind leak", data, link)
	}
	if dev.Name != "" {
		if d, _ := data["device"].(map[string]any); d["name"] != dev.Name {
			t.Errorf("device in webhook %v, want %q", d, dev.Name)
		}
	}
	if p, _ := data["property"].(map[string]any); p["name"] == "" || p["name"] == nil {
		t.Errorf("the webhook names no property: %v", data)
	}

	// The link is a page: admins see the notifications it called for, staff see the alert only.
	path := strings.TrimPrefix(link, testPublicURL)
	admin, staff := env.signedInClient(t, db.RoleAdmin), env.signedInClient(t, db.RoleStaff)
	res := env.get(t, admin, path)
	if res.status != http.StatusOK || byTestID(res.doc, "alert-page").Length() == 0 {
		t.Fatalf("GET %s as admin: %d", path, res.status)
	}
	if n := res.doc.Find(`[data-testid="alert-notifications"] [data-testid="notification-row"]`).Length(); n != 2 {
		t.Errorf("alert page lists %d notifications, want 2", n)
	}
	res = env.get(t, staff, path)
	if res.status != http.StatusOK || byTestID(res.doc, "alert-notifications").Length() > 0 {
		t.Errorf("GET %s as staff: %d, notifications shown: %v", path, res.status, byTestID(res.doc, "alert-notifications").Length() > 0)
	}

	// Someone is on it: the escalation is cancelled, and nothing more is sent even once it would be due.
	ack := env.postForm(t, staff, path+"/acknowledge", url.Values{"note": {"plumber on the way"}}, htmx)
	if ack.status != http.StatusOK {
		t.Fatalf("acknowledge: %d", ack.status)
	}
	ns, err = env.store.ListNotifications(ctx, db.NotificationFilter{AlertID: alert.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Step == 1 && n.State != db.NotifyCancelled {
			t.Errorf("escalation step after the acknowledgement: %s, want cancelled", n.State)
		}
	}
	if due, err := env.store.DueNotifications(ctx, time.Now().Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("due an hour later: %v %v, want nothing", due, err)
	}
}

// TestAlertPageNotFound: an unknown or malformed alert id is a 404 page, not an error.
func TestAlertPageNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	for _, p := range []string{"/alerts/999999", "/alerts/-1", "/alerts/abc", "/alerts/%3Cscript%3E"} {
		if res := env.get(t, admin, p); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.status)
		}
	}
}
