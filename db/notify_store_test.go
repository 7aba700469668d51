package db

import (
	"errors"
	"testing"
	"time"
)

// TestNotifyStore runs the outbox's life on both backends: rules with steps, endpoints, enqueue (deduped), the
// claim that writes the attempt first, a second claim refused, the finish, cancellation, and the lists.
func TestNotifyStore(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		ep, err := s.CreateNotifyEndpoint(ctx, NotifyEndpoint{Name: "PMS", URL: "https://pms.example/hook", Secret: "whsec_x", CreatedAt: t0})
		must(t, err)
		if _, err := s.CreateNotifyEndpoint(ctx, NotifyEndpoint{Name: "PMS", URL: "https://x", Secret: "s"}); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate endpoint name: %v", err)
		}
		r, err := s.CreateNotifyRule(ctx, NotifyRule{Name: "Leaks", Kinds: []string{"leak", "smoke"}, PropertyIDs: []int64{1, 2},
			MinSeverity: SeverityCritical, QuietStart: 22 * 60, QuietEnd: 7 * 60, NotifyResolved: true, Enabled: true,
			Steps: []NotifyStep{{DelayMinutes: 0, Emails: []string{"a@example.com", "b@example.com"}}, {DelayMinutes: 15, EndpointID: &ep.ID}}})
		must(t, err)
		got, err := s.NotifyRuleByID(ctx, r.ID)
		must(t, err)
		if got.Name != "Leaks" || len(got.Kinds) != 2 || got.PropertyIDs[1] != 2 || got.QuietEnd != 420 || !got.NotifyResolved ||
			len(got.Steps) != 2 || got.Steps[0].Emails[1] != "b@example.com" || *got.Steps[1].EndpointID != ep.ID {
			t.Fatalf("rule read back %+v", got)
		}
		if _, err := s.CreateNotifyRule(ctx, NotifyRule{Name: "bad", MinSeverity: SeverityWarning,
			Steps: []NotifyStep{{EndpointID: ptr(int64(9999))}}}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown endpoint: %v", err)
		}
		if err := s.DeleteNotifyEndpoint(ctx, ep.ID, t0); !errors.Is(err, ErrConflict) {
			t.Fatalf("deleting an endpoint in use: %v", err)
		}
		got.Steps = got.Steps[:1]
		got.Name = "Leaks!"
		must(t, s.UpdateNotifyRule(ctx, got))
		if rules, err := s.ListNotifyRules(ctx); err != nil || len(rules) != 1 || rules[0].Name != "Leaks!" || len(rules[0].Steps) != 1 {
			t.Fatalf("rules after update %+v %v", rules, err)
		}
		if _, err := s.NotifyRuleByID(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown rule: %v", err)
		}

		n := Notification{MessageID: "ntf_a", AlertID: 7, RuleID: &r.ID, RuleName: "Leaks", Event: "opened",
			Channel: ChannelWebhook, Target: ep.URL, EndpointID: &ep.ID, Payload: `{}`, DueAt: t0, CreatedAt: t0}
		later := n
		later.MessageID, later.Step, later.DueAt = "ntf_b", 1, t0.Add(15*time.Minute)
		dup := n
		dup.MessageID = "ntf_c"
		added, err := s.EnqueueNotifications(ctx, []Notification{n, later, dup})
		must(t, err)
		if added != 2 {
			t.Fatalf("enqueued %d, want 2 (the duplicate skipped)", added)
		}
		due, err := s.DueNotifications(ctx, t0, 10)
		must(t, err)
		if len(due) != 1 {
			t.Fatalf("due %v", due)
		}
		claimed, attempt, err := s.ClaimNotification(ctx, due[0], t0, 2*time.Minute, false)
		must(t, err)
		if claimed.Attempts != 1 || attempt.State != AttemptSending || attempt.ID == 0 {
			t.Fatalf("claim %+v %+v", claimed, attempt)
		}
		if _, _, err := s.ClaimNotification(ctx, due[0], t0, 2*time.Minute, false); !errors.Is(err, ErrBusy) {
			t.Fatalf("second claim: %v", err)
		}
		if _, _, err := s.ClaimNotification(ctx, due[0], t0.Add(time.Second), 2*time.Minute, true); !errors.Is(err, ErrBusy) {
			t.Fatalf("manual claim during an attempt: %v", err)
		}
		must(t, s.FinishAttempt(ctx, attempt, AttemptResult{StatusCode: 503, Error: "down", At: t0, Retry: true, RetryAt: t0.Add(30 * time.Second)}))
		next, ok, err := s.NextNotificationDue(ctx)
		must(t, err)
		if !ok || !next.Equal(stored(t0.Add(30*time.Second))) {
			t.Fatalf("next due %v %v", next, ok)
		}
		_, attempt, err = s.ClaimNotification(ctx, due[0], t0.Add(30*time.Second), 2*time.Minute, false)
		must(t, err)
		must(t, s.FinishAttempt(ctx, attempt, AttemptResult{OK: true, StatusCode: 204, At: t0.Add(31 * time.Second)}))
		attempts, err := s.NotificationAttempts(ctx, due[0])
		must(t, err)
		if len(attempts) != 2 || attempts[0].State != AttemptFailed || attempts[0].StatusCode != 503 ||
			attempts[1].State != AttemptOK || attempts[1].FinishedAt == nil || attempts[1].Target != ep.URL {
			t.Fatalf("attempts %+v", attempts)
		}
		if byEp, err := s.EndpointAttempts(ctx, ep.ID, 10); err != nil || len(byEp) != 2 || byEp[0].ID != attempts[1].ID {
			t.Fatalf("endpoint attempts %+v %v", byEp, err)
		}
		sent, err := s.SentAlertNotifications(ctx, 7)
		must(t, err)
		if len(sent) != 1 || sent[0].State != NotifySent {
			t.Fatalf("sent %+v", sent)
		}
		k, err := s.CancelAlertNotifications(ctx, 7, "acknowledged", t0)
		must(t, err)
		if k != 1 {
			t.Fatalf("cancelled %d, want the escalation only", k)
		}
		byMsg, err := s.NotificationByMessageID(ctx, "ntf_b")
		must(t, err)
		if byMsg.State != NotifyCancelled || byMsg.LastError != "acknowledged" {
			t.Fatalf("escalation %+v", byMsg)
		}
		if _, err := s.NotificationByID(ctx, 99999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown notification: %v", err)
		}
		list, err := s.ListNotifications(ctx, NotificationFilter{EndpointID: ep.ID, State: NotifyCancelled})
		must(t, err)
		if len(list) != 1 || list[0].MessageID != "ntf_b" {
			t.Fatalf("filtered list %+v", list)
		}

		must(t, s.DeleteNotifyRule(ctx, r.ID, t0))
		must(t, s.SetNotifyEndpointDisabled(ctx, ep.ID, true, t0))
		if e, err := s.NotifyEndpointByID(ctx, ep.ID); err != nil || !e.Disabled {
			t.Fatalf("endpoint %+v %v", e, err)
		}
		must(t, s.DeleteNotifyEndpoint(ctx, ep.ID, t0))
		if _, err := s.NotifyEndpointByID(ctx, ep.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted endpoint: %v", err)
		}
		if n, err := s.NotificationByID(ctx, due[0]); err != nil || n.EndpointID != nil || n.State != NotifySent {
			t.Fatalf("history after deleting the endpoint: %+v %v", n, err)
		}
	})
}
