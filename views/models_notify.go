package views

import "net/url"

// NavNotifications is the notifications section (rules, endpoints, deliveries).
const NavNotifications = "notifications"

// NotifyPageData is the notifications overview: rules, webhook endpoints, recent deliveries, mail status.
type NotifyPageData struct {
	Rules         []NotifyRuleRowData
	Endpoints     []NotifyEndpointRowData
	Notifications []NotificationRowData
	MailEnabled   bool
	MailFrom      string
	EndpointForm  NotifyEndpointFormData
	TestEmail     string
	Result        *NotifyResultData // the outcome of a test or a resend just made
}

// NotifyResultData is one attempt's outcome, shown right after an admin asked for it.
type NotifyResultData struct {
	OK      bool
	Message string
}

// NotifyRuleRowData is one rule in the list.
type NotifyRuleRowData struct {
	ID, Name, Scope, Severity, Quiet, Steps string
	Enabled, Resolved                       bool
}

// URL is the rule's edit page.
func (r NotifyRuleRowData) URL() string { return "/notifications/rules/" + url.PathEscape(r.ID) }

// NotifyEndpointRowData is one registered endpoint.
type NotifyEndpointRowData struct {
	ID, Name, URL, Created string
	Disabled               bool
}

// Page is the endpoint's own page.
func (e NotifyEndpointRowData) Page() string {
	return "/notifications/endpoints/" + url.PathEscape(e.ID)
}

// NotifyEndpointFormData is the "add an endpoint" form as typed, with its problems.
type NotifyEndpointFormData struct {
	Name, URL string
	Errors    []string
}

// NotifyEndpointPageData is one endpoint: its secret, and the attempts log of its deliveries.
type NotifyEndpointPageData struct {
	Endpoint NotifyEndpointRowData
	Secret   string
	UsedBy   []string
	Attempts []NotifyAttemptRowData
	Result   *NotifyResultData
	Error    string
}

// NotificationRowData is one notification in a list.
type NotificationRowData struct {
	ID, Alert, Event, Rule, Channel, Target, State, Due, DueISO, LastError string
	Step, Attempts                                                         int
}

// URL is the notification's page with its attempts.
func (n NotificationRowData) URL() string { return "/notifications/log/" + url.PathEscape(n.ID) }

// NotificationPageData is one notification and every attempt at it.
type NotificationPageData struct {
	Notification NotificationRowData
	Attempts     []NotifyAttemptRowData
	Result       *NotifyResultData
}

// NotifyAttemptRowData is one attempt in a log.
type NotifyAttemptRowData struct {
	ID, NotificationID, Started, StartedISO, Finished, State, Reply, Error, Target, Event string
	Status                                                                                int
	Manual                                                                                bool
}

// NotificationURL is the page of the attempt's notification.
func (a NotifyAttemptRowData) NotificationURL() string {
	return "/notifications/log/" + url.PathEscape(a.NotificationID)
}

// NotifyRuleFormData is the rule editor as typed.
type NotifyRuleFormData struct {
	ID                     string // "" for a new rule
	Name                   string
	Kinds                  []string
	PropertyIDs            []string
	MinSeverity            string
	QuietStart, QuietEnd   string
	NotifyResolved, Enable bool
	Steps                  []NotifyStepFormData
	KindChoices            []NotifyChoiceData
	PropertyChoices        []NotifyChoiceData
	EndpointChoices        []NotifyChoiceData
	Errors                 []string
	MailEnabled            bool
}

// NotifyStepFormData is one row of the steps table.
type NotifyStepFormData struct {
	Delay, Emails, EndpointID string
}

// NotifyChoiceData is one option of a select or a checkbox list.
type NotifyChoiceData struct {
	Value, Label string
}

// Action is where the rule form posts.
func (f NotifyRuleFormData) Action() string {
	if f.ID == "" {
		return "/notifications/rules"
	}
	return "/notifications/rules/" + url.PathEscape(f.ID)
}
