package notify

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
)

// Rule limits.
const (
	MaxSteps         = 5
	MaxEmailsPerStep = 10
	MaxDelayMinutes  = 24 * 60
)

// RuleForm is a rule as the admin's form sends it: text, checked in CheckRule.
type RuleForm struct {
	Name           string
	Kinds          []string // empty: every kind
	PropertyIDs    []string // empty: every property
	MinSeverity    string
	QuietStart     string // "HH:MM" or ""
	QuietEnd       string
	NotifyResolved bool
	Enabled        bool
	Steps          []StepForm
}

// StepForm is one step of the form: a delay in minutes, addresses (comma, semicolon or space separated) and/or an
// endpoint id.
type StepForm struct {
	Delay      string
	Emails     string
	EndpointID string
}

// Empty reports whether the admin left the step's row blank (it is dropped, not refused).
func (s StepForm) Empty() bool {
	return strings.TrimSpace(s.Delay) == "" && strings.TrimSpace(s.Emails) == "" && strings.TrimSpace(s.EndpointID) == ""
}

// FormOf turns a stored rule back into its form, for editing.
func FormOf(r db.NotifyRule) RuleForm {
	f := RuleForm{Name: r.Name, Kinds: r.Kinds, MinSeverity: r.MinSeverity, QuietStart: formatClock(r.QuietStart),
		QuietEnd: formatClock(r.QuietEnd), NotifyResolved: r.NotifyResolved, Enabled: r.Enabled}
	if r.QuietStart < 0 {
		f.QuietEnd = ""
	}
	for _, id := range r.PropertyIDs {
		f.PropertyIDs = append(f.PropertyIDs, strconv.FormatInt(id, 10))
	}
	for _, st := range r.Steps {
		sf := StepForm{Delay: strconv.Itoa(st.DelayMinutes), Emails: strings.Join(st.Emails, ", ")}
		if st.EndpointID != nil {
			sf.EndpointID = strconv.FormatInt(*st.EndpointID, 10)
		}
		f.Steps = append(f.Steps, sf)
	}
	return f
}

// CheckRule validates f against the known kinds, the mirrored properties and the registered endpoints, and
// returns the rule to store, or the problems in words (each names the field and what to do).
func (d *Dispatcher) CheckRule(ctx context.Context, f RuleForm) (db.NotifyRule, []string, error) {
	props, err := d.store.PropertyChoices(ctx)
	if err != nil {
		return db.NotifyRule{}, nil, err
	}
	eps, err := d.store.ListNotifyEndpoints(ctx)
	if err != nil {
		return db.NotifyRule{}, nil, err
	}
	r := db.NotifyRule{Name: strings.TrimSpace(f.Name), MinSeverity: f.MinSeverity, QuietStart: -1, QuietEnd: -1,
		NotifyResolved: f.NotifyResolved, Enabled: f.Enabled}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.Name == "" || len([]rune(r.Name)) > 100 || strings.IndexFunc(r.Name, isControl) >= 0 {
		bad("Name: enter 1 to 100 characters, without control characters.")
	}
	for _, k := range f.Kinds {
		if !slices.ContainsFunc(Kinds, func(x struct{ Kind, Label string }) bool { return x.Kind == k }) {
			bad("Alert kinds: %q is not a kind of alert; tick kinds from the list.", cleanLine(k))
			continue
		}
		if !slices.Contains(r.Kinds, k) {
			r.Kinds = append(r.Kinds, k)
		}
	}
	for _, p := range f.PropertyIDs {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || !slices.ContainsFunc(props, func(c db.PropertyChoice) bool { return c.ID == id }) {
			bad("Properties: %q is not a property of the portfolio; choose from the list.", cleanLine(p))
			continue
		}
		if !slices.Contains(r.PropertyIDs, id) {
			r.PropertyIDs = append(r.PropertyIDs, id)
		}
	}
	if r.MinSeverity != db.SeverityWarning && r.MinSeverity != db.SeverityCritical {
		bad("Minimum severity: choose warning or critical.")
	}
	qs, qe := strings.TrimSpace(f.QuietStart), strings.TrimSpace(f.QuietEnd)
	if qs != "" || qe != "" {
		s, ok1 := parseClock(qs)
		e, ok2 := parseClock(qe)
		switch {
		case !ok1 || !ok2:
			bad("Quiet hours: enter both the start and the end as HH:MM (24-hour), or leave both empty.")
		case s == e:
			bad("Quiet hours: the start and the end are the same; leave both empty for no quiet hours.")
		default:
			r.QuietStart, r.QuietEnd = s, e
		}
	}
	for i, sf := range f.Steps {
		if sf.Empty() {
			continue
		}
		st, msgs := checkStep(len(r.Steps), sf, eps)
		for _, m := range msgs {
			bad("Step %d: %s", i+1, m)
		}
		r.Steps = append(r.Steps, st)
	}
	switch {
	case len(r.Steps) == 0:
		bad("Steps: add at least one step with recipients (email addresses or a webhook endpoint).")
	case len(r.Steps) > MaxSteps:
		bad("Steps: at most %d steps.", MaxSteps)
	}
	return r, problems, nil
}

func checkStep(position int, sf StepForm, eps []db.NotifyEndpoint) (db.NotifyStep, []string) {
	var st db.NotifyStep
	var problems []string
	delay := strings.TrimSpace(sf.Delay)
	if delay == "" {
		delay = "0"
	}
	n, err := strconv.Atoi(delay)
	minDelay := 0
	if position > 0 {
		minDelay = 1 // an escalation waits for an acknowledgement that cannot come in no time
	}
	if err != nil || n < minDelay || n > MaxDelayMinutes {
		if position == 0 {
			problems = append(problems, fmt.Sprintf("the delay before the first notice must be 0 to %d minutes.", MaxDelayMinutes))
		} else {
			problems = append(problems, fmt.Sprintf("escalate after 1 to %d minutes without an acknowledgement.", MaxDelayMinutes))
		}
	}
	st.DelayMinutes = n
	for _, addr := range strings.FieldsFunc(sf.Emails, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || len(addr) > 254 || !strings.Contains(addr, "@") {
			problems = append(problems, fmt.Sprintf("%q is not an email address like name@example.com.", cleanLine(addr)))
			continue
		}
		if !slices.Contains(st.Emails, strings.ToLower(addr)) {
			st.Emails = append(st.Emails, strings.ToLower(addr))
		}
	}
	if len(st.Emails) > MaxEmailsPerStep {
		problems = append(problems, fmt.Sprintf("at most %d email addresses per step.", MaxEmailsPerStep))
	}
	if id := strings.TrimSpace(sf.EndpointID); id != "" {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil || !slices.ContainsFunc(eps, func(e db.NotifyEndpoint) bool { return e.ID == v }) {
			problems = append(problems, "the webhook endpoint no longer exists; choose another.")
		} else {
			st.EndpointID = &v
		}
	}
	if len(st.Emails) == 0 && st.EndpointID == nil && len(problems) == 0 {
		problems = append(problems, "add email addresses or choose a webhook endpoint.")
	}
	return st, problems
}

// SendTest stores a test notification to one email address or one endpoint and sends it now through the same
// path as an alert's, returning the attempt as recorded (visible in the attempts log).
func (d *Dispatcher) SendTest(ctx context.Context, channel, email string, endpointID int64) (db.NotifyAttempt, error) {
	now := d.now()
	n := db.Notification{MessageID: newMessageID(), Event: "test", Channel: channel, CreatedAt: now, DueAt: now,
		Payload: encodeAlert(Alert{Kind: "test", Severity: "warning", State: "open", PropertyName: "Test property",
			DeviceName: "Test device", Detail: "a test of this channel", Zone: "UTC", OpenedAt: now})}
	switch channel {
	case db.ChannelEmail:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email {
			return db.NotifyAttempt{}, fmt.Errorf("notify: test email to %q: not an address", cleanLine(email))
		}
		n.Target = email
	case db.ChannelWebhook:
		e, err := d.store.NotifyEndpointByID(ctx, endpointID)
		if err != nil {
			return db.NotifyAttempt{}, err
		}
		n.Target, n.EndpointID = e.URL, &e.ID
	default:
		return db.NotifyAttempt{}, fmt.Errorf("notify: unknown channel %q", channel)
	}
	if _, err := d.store.EnqueueNotifications(ctx, []db.Notification{n}); err != nil {
		return db.NotifyAttempt{}, err
	}
	stored, err := d.store.NotificationByMessageID(ctx, n.MessageID)
	if err != nil {
		return db.NotifyAttempt{}, err
	}
	return d.deliver(ctx, stored.ID, true)
}
