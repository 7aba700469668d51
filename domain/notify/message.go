package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
)

// message is one notification as people read it, built from what was stored when it was decided.
type message struct {
	n       db.Notification
	a       Alert
	subject string // one line, no control characters
	body    string // plain text, \n line ends
	link    string // "" without PUBLIC_URL
}

// cleanLine makes text from outside safe for one line of a header or a subject: control characters (CR and LF
// above all, the way to inject a header), and Unicode line and paragraph separators, become spaces; invalid UTF-8
// is replaced; the result is cut to 200 bytes.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.TrimSpace(clip.String(s, 200))
}

func (d *Dispatcher) message(n db.Notification) message {
	a := clean(decodeAlert(n.Payload))
	m := message{n: n, a: a}
	if d.publicURL != "" {
		m.link = strings.TrimRight(d.publicURL, "/") + "/alerts/" + strconv.FormatInt(a.ID, 10)
		if n.Event == "test" {
			m.link = strings.TrimRight(d.publicURL, "/") + "/notifications"
		}
	}
	what := KindLabel(cleanLine(a.Kind))
	where := orUnknown(cleanLine(a.PropertyName))
	device := cleanLine(a.DeviceName)
	switch n.Event {
	case "test":
		m.subject = "Test notification from the Smart Home dashboard"
	case "resolved":
		m.subject = fmt.Sprintf("[Resolved] %s at %s", what, where)
	default:
		m.subject = fmt.Sprintf("[%s] %s at %s", severityTitle(a.Severity), what, where)
	}
	if device != "" && n.Event != "test" {
		m.subject += ": " + device
	}
	m.subject = cleanLine(m.subject)

	loc := tz.Load(a.Zone)
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-11s %s\n", label+":", value)
		}
	}
	if n.Event == "test" {
		b.WriteString("This is a test of an alert notification channel. Nothing needs doing.\n\n")
	} else if n.Event == "resolved" {
		fmt.Fprintf(&b, "Resolved: %s at %s.\n\n", what, where)
	} else {
		fmt.Fprintf(&b, "%s (%s) at %s.\n\n", what, severityWord(a.Severity), where)
	}
	line("Property", where)
	if device != "" {
		line("Device", device+" ("+cleanLine(a.DeviceID)+")")
	}
	line("Hub", cleanLine(a.HubID))
	cond := what
	if det := cleanLine(a.Detail); det != "" {
		cond += " — " + det
	}
	line("Condition", cond)
	line("Opened", localTime(a.OpenedAt, loc))
	if n.Event == "resolved" {
		line("Resolved", localTime(a.ResolvedAt, loc))
	}
	if by := cleanLine(a.AcknowledgedBy); by != "" {
		line("Taken by", by)
	}
	b.WriteString("\n")
	if m.link != "" {
		fmt.Fprintf(&b, "Open it in the dashboard: %s\n", m.link)
	} else {
		b.WriteString("Open the Alerts page of the dashboard.\n")
	}
	if n.Event == "opened" {
		b.WriteString("Acknowledge it there so that nobody else is called.\n")
	}
	if n.RuleName != "" {
		fmt.Fprintf(&b, "\nRule %q", cleanLine(n.RuleName))
		if n.Step > 0 {
			fmt.Fprintf(&b, ", escalation step %d (not acknowledged in time)", n.Step+1)
		}
		b.WriteString(".\n")
	}
	b.WriteString("\n-- \nSent by the Smart Home dashboard. Notifications never carry lock codes.\n")
	m.body = b.String()
	return m
}

func severityWord(s string) string {
	switch s {
	case "critical", "info":
		return s
	}
	return "warning"
}

func severityTitle(s string) string {
	w := severityWord(s)
	return strings.ToUpper(w[:1]) + w[1:]
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown property"
	}
	return s
}

func localTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(tz.Layout) + " (" + loc.String() + ")"
}

// webhookBody is the JSON an endpoint receives, in the Standard Webhooks shape: type, timestamp, data.
type webhookBody struct {
	Type      string      `json:"type"` // alert.opened, alert.resolved or test
	Timestamp time.Time   `json:"timestamp"`
	Data      webhookData `json:"data"`
}

type webhookData struct {
	AlertID       int64      `json:"alert_id"`
	Kind          string     `json:"kind"`
	KindLabel     string     `json:"kind_label"`
	Severity      string     `json:"severity"`
	State         string     `json:"state"`
	Property      webhookRef `json:"property"`
	HubID         string     `json:"hub_id"`
	Device        webhookRef `json:"device"`
	Detail        string     `json:"detail"`
	TimeZone      string     `json:"time_zone"`
	OpenedAt      *time.Time `json:"opened_at"`
	OpenedAtLocal string     `json:"opened_at_local"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	URL           string     `json:"url,omitempty"`
	Rule          string     `json:"rule,omitempty"`
	Step          int        `json:"step"` // 1 for the first notice, 2 for the first escalation…
	Summary       string     `json:"summary"`
}

type webhookRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// json renders the webhook body. encoding/json escapes <, > and & and quotes every string, and invalid UTF-8 was
// replaced before, so no field can break the document.
func (m message) json(now time.Time) []byte {
	a := m.a
	typ := "alert." + m.n.Event
	if m.n.Event == "test" {
		typ = "test"
	}
	opened := optTime(a.OpenedAt)
	body := webhookBody{Type: typ, Timestamp: now.UTC(), Data: webhookData{AlertID: a.ID, Kind: cleanLine(a.Kind),
		KindLabel: KindLabel(cleanLine(a.Kind)), Severity: cleanLine(a.Severity), State: cleanLine(a.State),
		Property: webhookRef{ID: cleanLine(a.PropertyID), Name: cleanLine(a.PropertyName)}, HubID: cleanLine(a.HubID),
		Device: webhookRef{ID: cleanLine(a.DeviceID), Name: cleanLine(a.DeviceName)}, Detail: cleanLine(a.Detail),
		TimeZone: tz.Load(a.Zone).String(), OpenedAt: opened, OpenedAtLocal: localTime(a.OpenedAt, tz.Load(a.Zone)),
		URL: m.link, Rule: cleanLine(m.n.RuleName), Step: m.n.Step + 1, Summary: m.subject}}
	if m.n.Event == "resolved" {
		body.Data.ResolvedAt = optTime(a.ResolvedAt)
	}
	out, _ := json.Marshal(body) // strings and times only: cannot fail
	return out
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// Summary describes a stored notification for the admin pages: what alert it is about, in words, and the zone of
// its property (to show its times in).
func Summary(n db.Notification) (string, *time.Location) {
	a := decodeAlert(n.Payload)
	if n.Event == "test" {
		return "Test", time.UTC
	}
	s := fmt.Sprintf("%s at %s", KindLabel(cleanLine(a.Kind)), orUnknown(cleanLine(a.PropertyName)))
	if dev := cleanLine(a.DeviceName); dev != "" {
		s += ": " + dev
	}
	return s + " (alert " + strconv.FormatInt(n.AlertID, 10) + ")", tz.Load(a.Zone)
}
