package views

import (
	"net/url"
	"strconv"
)

// NavAlerts marks the Alerts page in the navigation.
const NavAlerts = "alerts"

// AlertNewEvent is the SSE event name of a newly opened alert's row; a changed alert's row comes under its DOMID.
const AlertNewEvent = "alert-new"

// Alert kinds besides those in models_portfolio.go, and the states and severities of alert records.
const (
	AlertTemperatureHigh = "temperature_high"
	AlertTemperatureLow  = "temperature_low"
	AlertStateOpen       = "open"
	AlertStateAcked      = "acknowledged"
	AlertStateResolved   = "resolved"
	SeverityCritical     = "critical"
)

// AlertRowData is one alert record as its row shows it, on the Alerts page, the home page, the detail pages, an
// htmx swap after an action, and an SSE push.
type AlertRowData struct {
	ID           int64
	Kind         string
	Severity     string // "critical" or "warning"
	State        string // "open", "acknowledged" or "resolved"
	Subject      string // the device's name, or the hub's
	DeviceID     string // "" for a hub's alert
	HubID        string
	PropertyID   string // "" when it has none
	PropertyName string
	Detail       string
	Opened       string // local time
	OpenedISO    string
	LastSeen     string
	LastSeenISO  string
	Flaps        int
	AckBy        string // who acknowledged; "" when nobody has
	AckAt        string
	AckAtISO     string
	AckNote      string
	ResolvedBy   string // "" with Resolved set: automatically
	Resolved     string // local time; "" while unresolved
	ResolvedISO  string
	CanHandle    bool // the viewer may acknowledge and resolve
}

// DOMID is the row's element id, and the name of the SSE event that replaces it.
func (a AlertRowData) DOMID() string { return domID("alert", strconv.FormatInt(a.ID, 10)) }

// SubjectURL is the page of what the alert is about: its device, else its hub.
func (a AlertRowData) SubjectURL() string {
	if a.DeviceID != "" {
		return deviceURL(a.DeviceID)
	}
	return hubURL(a.HubID)
}

// ActionURL is the POST target of an action on the alert ("acknowledge", "resolve").
func (a AlertRowData) ActionURL(action string) string {
	return "/alerts/" + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(action)
}

// AlertTableData is a list of alert rows. With Live, the body takes newly opened alerts on top.
type AlertTableData struct {
	Rows   []AlertRowData
	Live   bool
	BodyID string // the body's element id (one per page)
}

// AlertFilterData is the Alerts page's filter form, as the query string gave it.
type AlertFilterData struct {
	Property, Kind, State, Age string
	Hub, Device                string // from a hub's or device's page: kept as hidden fields
}

// Active reports whether anything beyond the defaults narrows the list (then new alerts are not pushed into it).
func (f AlertFilterData) Active() bool {
	return f.Property != "" || f.Kind != "" || f.State != "" || f.Age != "" || f.Hub != "" || f.Device != ""
}

// AlertsPageData is the Alerts page.
type AlertsPageData struct {
	Filter       AlertFilterData
	Properties   []ActivityOption // the property menu; empty: a plain id field (too many properties)
	Kinds        []ActivityOption
	States       []ActivityOption
	Ages         []ActivityOption
	Table        AlertTableData
	NewerURL     string // the first page, when this is not it
	OlderURL     string // the next page; "" on the last
	CanConfigure bool   // the viewer may change the thresholds
}

// AlertsSectionData is the alert section of a property, hub or device page: the unresolved alerts and the latest
// resolved ones.
type AlertsSectionData struct {
	Scope      string // "property", "hub" or "device"
	Table      AlertTableData
	MoreURL    string // the Alerts page filtered to this scope
	RefreshURL string // the page itself: the section re-reads itself from it when the stream reopens
}

// DOMID is the section's element id.
func (s AlertsSectionData) DOMID() string { return domID("alerts-section", s.Scope) }

// ThresholdFormData is one form of the threshold settings: the global defaults (PropertyID "") or one property's
// overrides. Values are as typed; an empty one inherits the value shown as its placeholder.
type ThresholdFormData struct {
	PropertyID   string
	Adding       bool // the "add a property" form
	PropertyName string
	LowBattery   string
	OfflineGrace string
	TempHigh     string
	TempLow      string
	Inherited    ThresholdValues // what an empty field means
	Errors       []FieldError
}

// FieldError is one invalid field of a form.
type FieldError struct {
	Field, Message string
}

// Error returns the message for field, or "".
func (f ThresholdFormData) Error(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// ThresholdValues are limits as numbers to show.
type ThresholdValues struct {
	LowBattery, OfflineGrace, TempHigh, TempLow int
}

// ThresholdRange is the allowed range of one threshold, for the form's min/max and the help text.
type ThresholdRange struct{ Min, Max int }

// AlertSettingsData is the admins' threshold page.
type AlertSettingsData struct {
	Global     ThresholdFormData
	Overrides  []ThresholdFormData
	Add        ThresholdFormData // the form that adds an override (PropertyID chosen from Properties)
	Properties []ActivityOption  // properties without overrides; empty: a plain id field
	Defaults   ThresholdValues   // the built-in defaults
	Ranges     [4]ThresholdRange // low battery, offline grace, too hot, too cold
}

func int64Attr(n int64) string { return strconv.FormatInt(n, 10) }

func severityBadge(severity string) string {
	if severity == SeverityCritical {
		return "badge badge-danger"
	}
	return "badge badge-warn"
}

func stateBadge(state string) string {
	switch state {
	case AlertStateOpen:
		return "badge badge-danger"
	case AlertStateAcked:
		return "badge badge-info"
	}
	return "badge badge-ok"
}

// AlertPageData is one alert (GET /alerts/{id}, where notifications link) and, for those who manage them, the
// notifications it called for.
type AlertPageData struct {
	Row               AlertRowData
	ShowNotifications bool
	Notifications     []NotificationRowData
	HasMoreThanListed bool
}

// AutomationsData is a property's automations section.
type AutomationsData struct {
	PropertyID      string
	LeakClosesValve bool
	Valves          int // valve controllers at the property
	Saved           bool
}
