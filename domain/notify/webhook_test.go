package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestWebhookRetriesWithBackoff: the receiver fails three times; each failure is an attempt record with its
// status, the next try waits 30 s, 60 s, 120 s (the injected clock), and the fourth attempt delivers the same
// webhook-id, signed so the dashboard's own verifier accepts it.
func TestWebhookRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx := newReceiver(t, c, NewSecret(), 3)
	ep := endpoint(t, s, "PMS", rx)
	rule(t, s, db.NotifyRule{Name: "all", Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{PublicURL: "https://dash.example"})
	ctx := t.Context()

	d.Opened(ctx, leak(1))
	for i, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		if n := d.SendDue(ctx); n != 1 {
			t.Fatalf("round %d: %d attempts, want 1", i, n)
		}
		n := notifications(t, s, 1)[0]
		if n.State != db.NotifyPending || n.Attempts != i+1 || !n.DueAt.Equal(c.Now().Add(wait)) {
			t.Fatalf("after failure %d: state %s attempts %d due %v, want pending, %d, now+%v", i+1, n.State, n.Attempts, n.DueAt, i+1, wait)
		}
		if d.SendDue(ctx) != 0 {
			t.Fatal("a notification in backoff was sent before it was due")
		}
		c.Advance(wait)
	}
	d.SendDue(ctx)
	n := notifications(t, s, 1)[0]
	if n.State != db.NotifySent || n.Attempts != 4 {
		t.Fatalf("state %s attempts %d, want sent after 4", n.State, n.Attempts)
	}
	got := rx.deliveries()
	if len(got) != 4 {
		t.Fatalf("%d deliveries, want 4", len(got))
	}
	for _, g := range got {
		if g.ID != n.MessageID {
			t.Errorf("webhook-id %q, want the notification's %q on every attempt", g.ID, n.MessageID)
		}
	}
	attempts, err := s.NotificationAttempts(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, a := range attempts {
		codes = append(codes, a.StatusCode)
	}
	if len(attempts) != 4 || attempts[0].State != db.AttemptFailed || attempts[3].State != db.AttemptOK ||
		codes[0] != 500 || codes[3] != 204 || !strings.Contains(attempts[0].Error, "500") {
		t.Errorf("attempts %+v", attempts)
	}
	body := got[3].Body
	if body.Type != "alert.opened" || body.Data.AlertID != 1 || body.Data.Property.Name != "12 Oak Court" ||
		body.Data.Device.Name != "Kitchen sensor" || body.Data.URL != "https://dash.example/alerts/1" ||
		body.Data.OpenedAtLocal != "Jan 12, 2027 10:04 AM EST (America/New_York)" || body.Data.Step != 1 {
		t.Errorf("body %+v", body)
	}
	byEndpoint, err := s.EndpointAttempts(ctx, ep.ID, 0)
	if err != nil || len(byEndpoint) != 4 {
		t.Errorf("endpoint log: %d attempts, %v", len(byEndpoint), err)
	}
}

// TestWebhookGivesUp: a receiver that never accepts gets MaxAttempts attempts, then the notification is failed.
func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx := newReceiver(t, c, NewSecret(), 1000)
	ep := endpoint(t, s, "down", rx)
	rule(t, s, db.NotifyRule{Name: "all", Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	d.Opened(t.Context(), leak(2))
	for range MaxAttempts + 2 {
		d.SendDue(t.Context())
		c.Advance(MaxBackoff)
	}
	n := notifications(t, s, 2)[0]
	if n.State != db.NotifyFailed || n.Attempts != MaxAttempts || len(rx.deliveries()) != MaxAttempts {
		t.Fatalf("state %s, %d attempts, %d deliveries; want failed after %d", n.State, n.Attempts, len(rx.deliveries()), MaxAttempts)
	}
	// Resend: one new attempt record, whatever the state.
	rx.mu.Lock()
	rx.failFirst = 0
	rx.mu.Unlock()
	a, err := d.Resend(t.Context(), n.ID)
	if err != nil || a.State != db.AttemptOK || !a.Manual {
		t.Fatalf("resend: %+v, %v", a, err)
	}
	if n := notifications(t, s, 2)[0]; n.State != db.NotifySent || n.Attempts != MaxAttempts+1 {
		t.Errorf("after resend: %s, %d attempts", n.State, n.Attempts)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// TestWebhookHostileContent: markup, quotes, CR/LF, invalid UTF-8 and a PIN-shaped number in every field stay
// inside valid JSON, and the PIN never leaves.
func TestWebhookHostileContent(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx := newReceiver(t, c, NewSecret(), 0)
	ep := endpoint(t, s, "chat", rx)
	rule(t, s, db.NotifyRule{Name: "x\"</script>", Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	hostile := "<script>alert(1)</script>\"}\r\nX-Evil: 1\u2028\xff🚿"
	a := Alert{ID: 3, Kind: "leak", Severity: "critical", PropertyID: hostile, PropertyName: hostile, HubID: hostile,
		DeviceID: hostile, DeviceName: hostile, Detail: "code 4821 set; " + hostile, Zone: hostile, OpenedAt: t0}
	d.Opened(t.Context(), a)
	d.SendDue(t.Context())
	got := rx.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries", len(got))
	}
	raw := string(got[0].Raw)
	if !json.Valid(got[0].Raw) || strings.Contains(raw, "<script>") || strings.Contains(raw, "4821") || strings.Contains(raw, "\r") {
		t.Errorf("body %s", raw)
	}
	if !strings.Contains(got[0].Body.Data.Device.Name, "<script>alert(1)</script>") {
		t.Errorf("device name did not survive as text: %q", got[0].Body.Data.Device.Name)
	}
}
