package views

import "net/url"

// CommandsData is the commands section of a device page (Target "device") or a hub page (Target "hub"): the
// controls the viewer may use, the last submission's outcome, and the recent command records.
type CommandsData struct {
	Target     string // "device" or "hub"
	ID         string // the device or hub id
	DeviceType string // device sections: which controls to show
	CanOperate bool   // sends commands (buttons are rendered only then)
	CanReset   bool   // hub sections: may reset the master code (installers)
	Thermostat ThermostatControlsData
	Level      int      // dimmers: the current level, to start the slider there
	AddTypes   []string // hub sections: the device types "Add a device" offers (device_type values)
	Error      string   // why the last submission was refused; shown in the form
	ErrorField string   // the form field it is about, for aria-invalid
	Notice     string   // what happened with the last submission
	MasterCode string   // the new master code, shown once to the installer who reset it; never pushed or logged
	List       CommandListData
}

// ThermostatControlsData pre-fills the thermostat form with the current values ("" when not reported).
type ThermostatControlsData struct {
	Mode, Fan        string
	Heating, Cooling string
}

// CommandListData is the recent command records of one device or hub; SSE pushes replace it whole.
type CommandListData struct {
	Target, ID string
	Cards      []CommandCardData
}

// CommandCardData is one command record. Times are already in the property's zone.
type CommandCardData struct {
	ID          string
	Label       string // "Lock", "Thermostat: mode heat"
	Status      string // pending | succeeded | failed
	By          string // who sent it
	Sent        string
	SentISO     string
	Finished    string // when it succeeded or failed; empty while pending
	FinishedISO string
	Reason      string // why it failed
	Result      string // what the hardware reported
}

// MQTTData is a hub's last MQTT response (its reply to the last hub command).
type MQTTData struct {
	HubID       string
	Known       bool   // the hub has answered a command
	Error       string // why it could not be read
	Command     string
	CommandID   string
	Received    string
	ReceivedISO string
	Status      string // ok | error
	Message     string
}

// HistoryData is the upstream activity history of a hub (Target "hub") or a device (Target "device"): the date
// form and, once asked, the result or the upstream's refusal.
type HistoryData struct {
	Target, ID string
	Zone       string // the IANA zone the dates are read in
	From, To   string // MM/DD/YYYY
	Events     []HistoryEventData
	Error      string // a form problem (422), shown in the form
	ErrorField string
	Refused    string // the upstream's 403/422 message, shown plainly
	Ran        bool   // a query ran (Rows may still be empty)
	Rows       []HistoryRowData
}

// HistoryEventData is one event checkbox of the history form.
type HistoryEventData struct {
	Value, Label string
	Checked      bool
}

// HistoryRowData is one activity, its time in the hub's zone.
type HistoryRowData struct {
	Event   string
	When    string
	WhenISO string
	What    string // the node and device for hub events, the details for device events
	Who     string
}

// AuditPageData is the staff audit log: filters, one page of entries and the link to the next (older) page.
type AuditPageData struct {
	Filter     AuditFilterData
	Zone       string // the zone times are shown and the range is read in
	Rows       []AuditRowData
	OlderURL   string // keyset link to the next page; empty on the last
	NewestURL  string // back to the first page, when not on it
	ExportCSV  string
	ExportJSON string
	Error      string // a filter problem, shown above the results
	People     []string
	Actions    []string
	Targets    []string
	Outcomes   []string
}

// AuditFilterData echoes the filter form.
type AuditFilterData struct {
	Person, Action, TargetType, TargetID, Property, Outcome, From, To string
	PropertyName                                                      string // the chosen property, when known
}

// AuditRowData is one audit entry.
type AuditRowData struct {
	ID, When, WhenISO, Person, Role, Action string
	TargetType, TargetID                    string
	PropertyID, PropertyName                string
	IP, Outcome, Detail                     string
}

// Element ids and live event names of the commands section. Event names carry the raw id (the server matches
// them exactly); element ids go through domID so they are safe in CSS selectors.

// SectionID is the id of the whole section.
func (d CommandsData) SectionID() string { return domID("commands-"+d.Target, d.ID) }

// PanelID is the id of the part a form post swaps: controls, messages and the list.
func (d CommandsData) PanelID() string { return domID("command-panel-"+d.Target, d.ID) }

// PostURL is where the section's command forms post.
func (d CommandsData) PostURL() string {
	return "/" + d.Target + "s/" + url.PathEscape(d.ID) + "/commands"
}

// ResetURL is where the master-code reset posts (hub sections).
func (d CommandsData) ResetURL() string { return "/hubs/" + url.PathEscape(d.ID) + "/master-code" }

// ListID is the id of the records list that live events replace.
func (l CommandListData) ListID() string { return domID("command-list-"+l.Target, l.ID) }

// EventName is the live event that carries a re-rendered list: "commands-device-<id>" or "commands-hub-<id>".
func (l CommandListData) EventName() string { return CommandsEventName(l.Target, l.ID) }

// RefreshURL re-reads the list after the live stream reconnects.
func (l CommandListData) RefreshURL() string {
	return "/" + l.Target + "s/" + url.PathEscape(l.ID) + "/commands"
}

// CommandsEventName names the live event carrying a device's or hub's command list.
func CommandsEventName(target, id string) string { return "commands-" + target + "-" + id }

// MQTTEventName names the live event carrying a hub's re-rendered MQTT panel.
func MQTTEventName(hubID string) string { return "mqtt-hub-" + hubID }

// DOMID is the id of the MQTT panel.
func (m MQTTData) DOMID() string { return domID("mqtt-hub", m.HubID) }

// URL is where the MQTT panel loads itself from.
func (m MQTTData) URL() string { return "/hubs/" + url.PathEscape(m.HubID) + "/mqtt" }

// DOMID is the id of the history results region.
func (h HistoryData) DOMID() string { return domID("history-"+h.Target, h.ID) }

// PageURL is the detail page the history form falls back to without JavaScript.
func (h HistoryData) PageURL() string { return "/" + h.Target + "s/" + url.PathEscape(h.ID) }

// FragmentURL answers the history form with just the results region.
func (h HistoryData) FragmentURL() string { return h.PageURL() + "/history" }

// NavAudit marks the audit log's navigation link.
const NavAudit = "audit"

// list is the section's records list, always named after the section's own device or hub.
func (d CommandsData) list() CommandListData {
	l := d.List
	l.Target, l.ID = d.Target, d.ID
	return l
}
