package views

// PropertyFormData is the create or edit form of a property, as entered (a rejected form comes back as typed).
type PropertyFormData struct {
	ID            string // "" for a new property
	Name          string
	StreetAddress string
	City          string
	State         string
	Zipcode       string
	TimeZone      string
	Zones         []string // suggestions for the time-zone input; any IANA name is accepted
	Errors        []string // why the last save failed
}

// Action is where the form posts.
func (d PropertyFormData) Action() string {
	if d.ID == "" {
		return "/properties/new"
	}
	return propertyURL(d.ID) + "/edit"
}

// Cancel is where the Cancel link goes.
func (d PropertyFormData) Cancel() string {
	if d.ID == "" {
		return "/properties"
	}
	return propertyURL(d.ID)
}

// PropertyDeleteData is the confirmation page of a property delete: everything that goes with it.
type PropertyDeleteData struct {
	ID, Name, Address string
	LockCodes         []DeleteCodeData
	Invitations       []DeleteInvitationData
	Schedules         []string // names
	Hubs              []string // names of the hubs that become unassigned
	Devices           int      // devices that become unassigned
	CodesSeen         int      // what the page showed, posted back so the delete can tell if anything changed
	InvitationsSeen   int
	Unreadable        bool   // the upstream could not be asked: no delete button
	Error             string // why the last attempt failed, with what to do
}

// Action is where the confirmation posts.
func (d PropertyDeleteData) Action() string { return propertyURL(d.ID) + "/delete" }

// DeleteCodeData is one lock code that goes with a deleted property. It never carries the PIN.
type DeleteCodeData struct {
	Name     string
	Type     string // code_type, e.g. "Guest Code"
	Validity string // "Specific Period: 2026-12-01 15-00 → 2026-12-05 11-00"
	Locks    int
}

// DeleteInvitationData is one active resident invitation that goes with a deleted property.
type DeleteInvitationData struct {
	Name, Email, From, To string
}

// HubFormData is the hub edit form. Empty address fields are left as they are upstream.
type HubFormData struct {
	ID, Serial    string
	HomeName      string
	StreetAddress string
	City          string
	State         string
	Zipcode       string
	TimeZone      string
	Zones         []string
	Notice        string // why the current address could not be loaded
	Errors        []string
}

// Action is where the form posts.
func (d HubFormData) Action() string { return hubURL(d.ID) + "/edit" }

// PropertyManageData is the admin's card on a property page.
type PropertyManageData struct {
	ID string
}

// EditURL is the property edit form.
func (d PropertyManageData) EditURL() string { return propertyURL(d.ID) + "/edit" }

// DeleteURL is the delete confirmation.
func (d PropertyManageData) DeleteURL() string { return propertyURL(d.ID) + "/delete" }

// HubManageData is the admin's card on a hub page.
type HubManageData struct {
	ID, Address string
}

// EditURL is the hub edit form.
func (d HubManageData) EditURL() string { return hubURL(d.ID) + "/edit" }

// DeviceAssignData is the admin's assign-to-property form on a device page.
type DeviceAssignData struct {
	DeviceID   string
	PropertyID string // current; "" when unassigned
	Properties []PropertyChoiceData
	Error      string
	OK         string
}

// DOMID is the card's element id, which the form's htmx swap replaces.
func (d DeviceAssignData) DOMID() string { return domID("device-assign", d.DeviceID) }

// Action is where the form posts.
func (d DeviceAssignData) Action() string { return deviceURL(d.DeviceID) + "/assign" }

// PropertyChoiceData is one choice of a select.
type PropertyChoiceData struct {
	Value, Label string
}
