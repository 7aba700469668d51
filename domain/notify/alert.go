// Package notify tells people about alerts: admins' rules decide who hears about what (kinds, properties,
// severity, quiet hours, a delay and escalation steps), every notification decided is stored in the outbox before
// it is sent, and a sender loop delivers them by email (SMTP) or signed webhooks, retrying with backoff and
// recording every attempt. Part A (domain/alerts) reports alerts through Dispatcher.Opened, Acknowledged and
// Resolved.
package notify

import (
	"regexp"
	"time"
)

// Alert is what part A reports: an alert's identity, what it is about, and where it is in its lifecycle. Zone is
// the property's IANA time zone; messages show times in it.
type Alert struct {
	ID                                                            int64
	Kind, Severity, State                                         string
	PropertyID, PropertyName, HubID, DeviceID, DeviceName, Detail string
	Zone                                                          string
	OpenedAt                                                      time.Time
	AcknowledgedBy, AckNote                                       string
	AcknowledgedAt, ResolvedAt                                    time.Time
}

// Kinds are the alert kinds a rule can name, with how messages call them. Part A raises these.
var Kinds = []struct{ Kind, Label string }{
	{"hub_offline", "Hub offline"},
	{"low_battery", "Low battery"},
	{"leak", "Water leak"},
	{"smoke", "Smoke"},
	{"tamper", "Tamper"},
	{"jammed", "Lock jammed"},
	{"temperature_high", "Too hot"},
	{"temperature_low", "Too cold"},
}

// KindLabel is how a kind reads in a message; an unknown kind reads as itself.
func KindLabel(kind string) string {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	return kind
}

// severityRank orders severities; an unknown one counts as a warning, so a new severity part A adds is not
// silently below every rule.
func severityRank(s string) int {
	switch s {
	case "info":
		return 0
	case "critical":
		return 2
	}
	return 1
}

// pinLike matches a free-standing run of 4–8 digits: the shape of a lock code. Free text (the alert's detail, an
// acknowledgement note) comes from devices and people and could carry one; messages never do.
var pinLike = regexp.MustCompile(`(^|[^0-9])[0-9]{4,8}([^0-9]|$)`)

// scrubPINs masks digit runs that could be a lock code in free text.
func scrubPINs(s string) string {
	for range 3 { // adjacent matches share a boundary character: a few passes catch "1234 5678"
		s = pinLike.ReplaceAllString(s, "${1}****${2}")
	}
	return s
}
