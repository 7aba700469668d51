package notify

import (
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestRestartMidSend: a dispatcher stops right after its attempt record is committed (as a crash would, before
// or during the send). A new dispatcher does not take the notification while that attempt's lease runs, then
// marks the attempt interrupted and sends once: the receiver sees one delivery, the log shows both attempts.
func TestRestartMidSend(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx := newReceiver(t, c, NewSecret(), 0)
	ep := endpoint(t, s, "PMS", rx)
	rule(t, s, db.NotifyRule{Name: "all", Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	first := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	first.afterClaim = func(db.Notification) error { return errStopped }
	first.Opened(t.Context(), leak(21))
	first.SendDue(t.Context())
	n := notifications(t, s, 21)[0]
	attempts, _ := s.NotificationAttempts(t.Context(), n.ID)
	if len(rx.deliveries()) != 0 || len(attempts) != 1 || attempts[0].State != db.AttemptSending || n.State != db.NotifyPending {
		t.Fatalf("after the crash: %d deliveries, attempts %+v, state %s", len(rx.deliveries()), attempts, n.State)
	}

	second := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	if got := second.SendDue(t.Context()); got != 0 {
		t.Fatalf("the restarted dispatcher took a notification whose attempt may still run (%d)", got)
	}
	c.Advance(sendLease)
	second.SendDue(t.Context())
	second.SendDue(t.Context())
	if got := rx.deliveries(); len(got) != 1 || got[0].ID != n.MessageID {
		t.Fatalf("%d deliveries after the restart, want exactly 1", len(got))
	}
	attempts, _ = s.NotificationAttempts(t.Context(), n.ID)
	if len(attempts) != 2 || attempts[0].State != db.AttemptInterrupted || attempts[1].State != db.AttemptOK {
		t.Fatalf("attempts %+v, want interrupted then ok", attempts)
	}
	if n := notifications(t, s, 21)[0]; n.State != db.NotifySent {
		t.Errorf("state %s, want sent", n.State)
	}
}

// TestEscalation: unacknowledged, step 2 fires its delay after step 1; acknowledged, step 2 is cancelled.
func TestEscalation(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	first, second := newReceiver(t, c, NewSecret(), 0), newReceiver(t, c, NewSecret(), 0)
	e1, e2 := endpoint(t, s, "on call", first), endpoint(t, s, "manager", second)
	rule(t, s, db.NotifyRule{Name: "leaks", Steps: []db.NotifyStep{{EndpointID: &e1.ID}, {DelayMinutes: 15, EndpointID: &e2.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	ctx := t.Context()

	d.Opened(ctx, leak(31))
	d.Opened(ctx, leak(32))
	d.Opened(ctx, leak(31)) // reported twice: notified once
	d.SendDue(ctx)
	if len(first.deliveries()) != 2 || len(second.deliveries()) != 0 {
		t.Fatalf("step 1: %d and %d deliveries, want 2 and 0", len(first.deliveries()), len(second.deliveries()))
	}
	a := leak(32)
	a.AcknowledgedBy, a.AcknowledgedAt = "sam@example.com", c.Now()
	d.Acknowledged(ctx, a)
	c.Advance(14 * time.Minute)
	d.SendDue(ctx)
	if len(second.deliveries()) != 0 {
		t.Fatal("step 2 fired before its delay")
	}
	c.Advance(time.Minute)
	d.SendDue(ctx)
	got := second.deliveries()
	if len(got) != 1 || got[0].Body.Data.AlertID != 31 || got[0].Body.Data.Step != 2 {
		t.Fatalf("step 2 deliveries %+v, want one for alert 31", got)
	}
	for _, n := range notifications(t, s, 32) {
		if n.Step == 1 && (n.State != db.NotifyCancelled || n.LastError != "acknowledged by sam@example.com") {
			t.Errorf("acknowledged alert's escalation: %s %q", n.State, n.LastError)
		}
	}
}

// TestQuietHours: a warning inside a rule's quiet hours (22:00–07:00 at the property) waits until 07:00 there; a
// critical alert goes through at once.
func TestQuietHours(t *testing.T) {
	t.Parallel()
	night := time.Date(2027, 1, 13, 4, 0, 0, 0, time.UTC) // 23:00 in New York
	s, c := newStore(t), newClock(night)
	rx := newReceiver(t, c, NewSecret(), 0)
	ep := endpoint(t, s, "PMS", rx)
	rule(t, s, db.NotifyRule{Name: "nights", QuietStart: 22 * 60, QuietEnd: 7 * 60, Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	warn := leak(41)
	warn.Kind, warn.Severity, warn.OpenedAt = "low_battery", "warning", night
	crit := leak(42)
	crit.OpenedAt = night
	d.Opened(t.Context(), warn)
	d.Opened(t.Context(), crit)
	d.SendDue(t.Context())
	if got := rx.deliveries(); len(got) != 1 || got[0].Body.Data.AlertID != 42 {
		t.Fatalf("during quiet hours: %+v, want only the critical alert", got)
	}
	n := notifications(t, s, 41)[0]
	if want := time.Date(2027, 1, 13, 12, 0, 0, 0, time.UTC); !n.DueAt.Equal(want) { // 07:00 EST
		t.Fatalf("warning due %v, want %v", n.DueAt, want)
	}
	c.Advance(8 * time.Hour)
	d.SendDue(t.Context())
	if got := rx.deliveries(); len(got) != 2 || got[1].Body.Data.AlertID != 41 {
		t.Fatalf("after quiet hours: %d deliveries", len(got))
	}
}

func TestQuietUntil(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		t          string
		start, end int
		want       string
	}{
		{"before the evening start", "2027-01-13 21:59", 22 * 60, 7 * 60, "2027-01-13 21:59"},
		{"evening", "2027-01-13 23:30", 22 * 60, 7 * 60, "2027-01-14 07:00"},
		{"after midnight", "2027-01-14 02:00", 22 * 60, 7 * 60, "2027-01-14 07:00"},
		{"at the end", "2027-01-14 07:00", 22 * 60, 7 * 60, "2027-01-14 07:00"},
		{"daytime window", "2027-01-14 13:00", 12 * 60, 14 * 60, "2027-01-14 14:00"},
		{"none", "2027-01-14 02:00", -1, -1, "2027-01-14 02:00"},
		{"spring forward night", "2027-03-14 01:30", 22 * 60, 7 * 60, "2027-03-14 07:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := quietUntil(at(tc.t), ny, tc.start, tc.end)
			if want := at(tc.want); !got.Equal(want) {
				t.Errorf("got %v, want %v", got.In(ny), want)
			}
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestResolvedMessage: a rule that asks for it tells those already told; one that does not stays silent; what
// still waited is cancelled.
func TestResolvedMessage(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx, quiet := newReceiver(t, c, NewSecret(), 0), newReceiver(t, c, NewSecret(), 0)
	e1, e2, e3 := endpoint(t, s, "tell", rx), endpoint(t, s, "silent", quiet), endpoint(t, s, "later", quiet)
	rule(t, s, db.NotifyRule{Name: "tell", NotifyResolved: true, Steps: []db.NotifyStep{{EndpointID: &e1.ID}, {DelayMinutes: 30, EndpointID: &e3.ID}}})
	rule(t, s, db.NotifyRule{Name: "silent", Steps: []db.NotifyStep{{EndpointID: &e2.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	d.Opened(t.Context(), leak(51))
	d.SendDue(t.Context())
	a := leak(51)
	a.State, a.ResolvedAt = "resolved", c.Now()
	d.Resolved(t.Context(), a)
	d.Resolved(t.Context(), a)
	d.SendDue(t.Context())
	got := rx.deliveries()
	if len(got) != 2 || got[1].Body.Type != "alert.resolved" || got[1].Body.Data.ResolvedAt == nil {
		t.Fatalf("deliveries %+v", got)
	}
	if len(quiet.deliveries()) != 1 {
		t.Errorf("the silent rule's endpoint got %d deliveries, want the opening only", len(quiet.deliveries()))
	}
	c.Advance(time.Hour)
	if d.SendDue(t.Context()) != 0 {
		t.Error("the escalation of a resolved alert was sent")
	}
}

// TestRunSendsWhenWoken: the loop sends a notification decided while it waits, without a poll interval's delay.
func TestRunSendsWhenWoken(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	c := newClock(time.Now().UTC())
	rx := newReceiver(t, c, NewSecret(), 0)
	ep := endpoint(t, s, "PMS", rx)
	rule(t, s, db.NotifyRule{Name: "all", Steps: []db.NotifyStep{{EndpointID: &ep.ID}}})
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	ctx, cancel := contextWithCancel(t)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	a := leak(61)
	a.OpenedAt = c.Now()
	d.Opened(ctx, a)
	deadline := time.After(pollEvery / 2)
	for len(rx.deliveries()) == 0 {
		select {
		case <-deadline:
			t.Fatal("not sent within half a poll interval of being decided")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-done
}
