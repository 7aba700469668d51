package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// Delivery limits, named in the README.
const (
	MaxAttempts    = 10               // attempts per notification before it is failed
	FirstBackoff   = 30 * time.Second // the wait after the first failed attempt; it doubles after each
	MaxBackoff     = time.Hour        // the longest wait between two attempts
	WebhookTimeout = 10 * time.Second // one webhook request, connection to answer
	MailTimeout    = 30 * time.Second // one SMTP session, connection to QUIT
	// sendLease is how long a claimed notification is held for its attempt. It outlasts the longest send, so an
	// attempt still "sending" past it was cut off by a stopped process.
	sendLease = 2 * time.Minute
	pollEvery = 5 * time.Second // the sender looks for due rows at least this often (others' instances enqueue too)
	batchSize = 20
	workers   = 4
)

// Options are the Dispatcher's settings beside its collaborators.
type Options struct {
	Logger    *slog.Logger
	PublicURL string // the dashboard's address as recipients reach it (PUBLIC_URL); "" leaves links out
}

// Dispatcher decides notifications for alerts, stores them, and (in Run) sends them.
type Dispatcher struct {
	store     *db.Store
	now       func() time.Time
	mail      MailConfig
	http      *http.Client
	logger    *slog.Logger
	publicURL string
	wake      chan struct{}

	// afterClaim, when set (tests), runs between the committed claim and the send; an error stops the attempt
	// there, as a crash would.
	afterClaim func(db.Notification) error
}

// NewDispatcher returns a Dispatcher over store. now is its clock (nil: time.Now); hc sends webhooks (nil: a
// client with the default transport). Redirects are never followed: a 3xx is a failed attempt.
func NewDispatcher(store *db.Store, now func() time.Time, mail MailConfig, hc *http.Client, opts Options) *Dispatcher {
	if now == nil {
		now = time.Now
	}
	client := &http.Client{}
	if hc != nil {
		c := *hc
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: store, now: func() time.Time { return now().UTC() }, mail: mail, http: client,
		logger: logger.With(slog.String("component", "notify")), publicURL: opts.PublicURL, wake: make(chan struct{}, 1)}
}

// MailEnabled reports whether an SMTP server is configured.
func (d *Dispatcher) MailEnabled() bool { return d.mail.Enabled() }

// Opened decides the notifications an alert calls for under the enabled rules, stores them, and wakes the sender.
// It sends nothing itself and never waits on a receiver; a failure to store is logged.
func (d *Dispatcher) Opened(ctx context.Context, a Alert) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	rules, endpoints, err := d.loadRules(ctx)
	if err != nil {
		d.logger.Error("notify: read rules", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return
	}
	a = clean(a)
	now := d.now()
	var ns []db.Notification
	for _, r := range rules {
		if matches(r, a) {
			ns = append(ns, d.plan(r, a, endpoints, now)...)
		}
	}
	d.enqueue(ctx, a, ns)
}

// Acknowledged cancels what still waits for the alert: its escalations, and a first notice still in its delay or
// in quiet hours. Someone is on it.
func (d *Dispatcher) Acknowledged(ctx context.Context, a Alert) {
	d.cancel(ctx, a, "acknowledged by "+cleanLine(a.AcknowledgedBy))
}

// Resolved cancels what still waits for the alert and, for rules that ask for it, tells the recipients already
// told that it is resolved (quiet hours apply: it is good news).
func (d *Dispatcher) Resolved(ctx context.Context, a Alert) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	d.cancel(ctx, a, "resolved")
	sent, err := d.store.SentAlertNotifications(ctx, a.ID)
	if err != nil || len(sent) == 0 {
		if err != nil {
			d.logger.Error("notify: read sent notifications", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		}
		return
	}
	rules, _, err := d.loadRules(ctx)
	if err != nil {
		d.logger.Error("notify: read rules", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return
	}
	a = clean(a)
	payload := encodeAlert(a)
	now := d.now()
	var ns []db.Notification
	for _, n := range sent {
		i := slices.IndexFunc(rules, func(r db.NotifyRule) bool { return n.RuleID != nil && r.ID == *n.RuleID })
		if i < 0 || !rules[i].NotifyResolved {
			continue
		}
		due := quietUntil(now, tz.Load(a.Zone), rules[i].QuietStart, rules[i].QuietEnd)
		ns = append(ns, db.Notification{MessageID: newMessageID(), AlertID: a.ID, RuleID: n.RuleID,
			RuleName: rules[i].Name, Event: "resolved", Channel: n.Channel, Target: n.Target, EndpointID: n.EndpointID,
			Payload: payload, DueAt: due, CreatedAt: now})
	}
	d.enqueue(ctx, a, ns)
}

func (d *Dispatcher) cancel(ctx context.Context, a Alert, why string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	n, err := d.store.CancelAlertNotifications(ctx, a.ID, why, d.now())
	if err != nil {
		d.logger.Error("notify: cancel", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return
	}
	if n > 0 {
		d.logger.Info("notify: cancelled pending notifications", slog.Int64("alert_id", a.ID), slog.Int("count", n))
	}
}

func (d *Dispatcher) enqueue(ctx context.Context, a Alert, ns []db.Notification) {
	if len(ns) == 0 {
		return
	}
	added, err := d.store.EnqueueNotifications(ctx, ns)
	if err != nil {
		d.logger.Error("notify: store notifications", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return
	}
	d.logger.Info("notify: notifications decided", slog.Int64("alert_id", a.ID), slog.Int("count", added))
	d.poke()
}

// poke wakes the sender loop without waiting.
func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) loadRules(ctx context.Context) ([]db.NotifyRule, map[int64]db.NotifyEndpoint, error) {
	rules, err := d.store.ListNotifyRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	eps, err := d.store.ListNotifyEndpoints(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]db.NotifyEndpoint{}
	for _, e := range eps {
		byID[e.ID] = e
	}
	return rules, byID, nil
}

// matches reports whether rule r covers alert a.
func matches(r db.NotifyRule, a Alert) bool {
	if !r.Enabled || severityRank(a.Severity) < severityRank(r.MinSeverity) {
		return false
	}
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, a.Kind) {
		return false
	}
	if len(r.PropertyIDs) > 0 {
		id, err := strconv.ParseInt(a.PropertyID, 10, 64)
		if err != nil || !slices.Contains(r.PropertyIDs, id) {
			return false
		}
	}
	return true
}

// plan lays out rule r's steps for alert a: step 0 after its delay, each later step its delay after the one
// before. Non-critical alerts wait out the rule's quiet hours (in the property's zone) at each step; critical ones
// go through.
func (d *Dispatcher) plan(r db.NotifyRule, a Alert, endpoints map[int64]db.NotifyEndpoint, now time.Time) []db.Notification {
	loc := tz.Load(a.Zone)
	payload := encodeAlert(a)
	base := a.OpenedAt
	if base.IsZero() || base.After(now) {
		base = now
	}
	var out []db.Notification
	due := base
	for i, st := range r.Steps {
		due = due.Add(time.Duration(st.DelayMinutes) * time.Minute)
		if severityRank(a.Severity) < severityRank(db.SeverityCritical) {
			due = quietUntil(due, loc, r.QuietStart, r.QuietEnd)
		}
		at := due
		if at.Before(now) { // an alert reported late is told now, not in the past
			at = now
		}
		n := db.Notification{AlertID: a.ID, RuleID: &r.ID, RuleName: r.Name, Step: i, Event: "opened",
			Payload: payload, DueAt: at, CreatedAt: now}
		for _, addr := range st.Emails {
			n.MessageID, n.Channel, n.Target = newMessageID(), db.ChannelEmail, addr
			out = append(out, n)
		}
		if st.EndpointID != nil {
			if e, ok := endpoints[*st.EndpointID]; ok && !e.Disabled {
				n.MessageID, n.Channel, n.Target, n.EndpointID = newMessageID(), db.ChannelWebhook, e.URL, &e.ID
				out = append(out, n)
			}
		}
	}
	return out
}

func newMessageID() string { return "ntf_" + rand.Text() }

// clean strips what must never leave the dashboard from the alert's free text: anything shaped like a lock code.
func clean(a Alert) Alert {
	a.Detail, a.AckNote = scrubPINs(a.Detail), scrubPINs(a.AckNote)
	return a
}

func encodeAlert(a Alert) string {
	b, _ := json.Marshal(a) // plain fields only: cannot fail
	return string(b)
}

func decodeAlert(s string) Alert {
	var a Alert
	_ = json.Unmarshal([]byte(s), &a) // written by encodeAlert; a damaged row still sends what it can
	return a
}

// MailFrom is the configured sender address (MAIL_FROM), for the admin page.
func (d *Dispatcher) MailFrom() string { return d.mail.From }
