package views

import (
	"net/url"
	"strings"
)

// View models of the access features: reservations, invitations, guest self-tour links and move-outs. Handlers
// fill them with times already formatted in the property's zone; no PIN ever reaches them except CodeData.PIN
// after an audited reveal, and GuestPageData.Code inside the guest's window.

// NavInvitations is the Invitations section of the navigation.
const NavInvitations = "invitations"

// OptionData is one choice of a select.
type OptionData struct {
	Value, Label string
	Selected     bool
}

// CodeStatusData is a lock code's state on each lock, read from the upstream. PollURL is set while a change is in
// flight (setting, removing): the fragment then refreshes itself.
type CodeStatusData struct {
	DOMID   string
	Summary string // "Set on 2 of 2 locks", "Removed from every lock"
	Kind    string // ok, warn, danger, info
	Error   string // why the state could not be read
	Locks   []CodeLockData
	PollURL string
}

// CodeLockData is a code's state on one lock.
type CodeLockData struct {
	Name, Status, Error string
	Updated, UpdatedISO string
}

// CodeData is a masked code with the reveal button, or the digits after an audited reveal.
type CodeData struct {
	DOMID     string
	RevealURL string // empty: the viewer may not reveal it
	PIN       string // only in the answer to a reveal
	Note      string // why there is no code (cancelled, no lock)
}

// ReservationRowData is one reservation in a property's list.
type ReservationRowData struct {
	ID, URL                  string
	GuestName, GuestEmail    string
	CheckIn, CheckInISO      string
	CheckOut, CheckOutISO    string
	Status, StatusKind       string
	Current, Past, Cancelled bool
}

// AccessSectionData is the reservations and invitations part of a property page.
type AccessSectionData struct {
	PropertyID   string
	TimeZone     string
	Notice       string // the upstream could not be read: the lists may be behind
	Refresh      bool   // the mirror's copy is old: the section re-reads itself once the page has loaded
	Reservations []ReservationRowData
	Invitations  []InvitationRowData
	NewReservationURL,
	NewInvitationURL,
	MoveOutAllURL string
}

// ReservationFormData fills the create and edit forms; every value is echoed back as typed after a refusal.
type ReservationFormData struct {
	Action                             string
	Editing                            bool
	PropertyID, PropertyName, TimeZone string
	GuestName, GuestEmail, GuestPhone  string
	CheckIn, CheckOut                  string // datetime-local values in the property's zone
	BufferBefore, BufferAfter          string
	Errors                             []string
}

// ReservationPageData is one reservation: its details, its code, the code's state on each lock, and the edit and
// cancel forms.
type ReservationPageData struct {
	ID, PropertyID, PropertyName, TimeZone string
	GuestName, GuestEmail, GuestPhone      string
	Window, CodeWindow                     string
	Status, StatusKind                     string
	Cancelled                              bool
	Code                                   CodeData
	CodeStatus                             CodeStatusData
	Form                                   ReservationFormData
	CancelURL                              string
}

// InvitationRowData is one invitation in a list.
type InvitationRowData struct {
	ID, URL              string
	Email, Name          string
	PropertyID, Property string
	From, To             string // "Mar 13, 2027"; To "open-ended" when there is none
	Status, StatusKind   string
	Active               bool
	MoveOutURL           string
}

// InvitationListData is the invitation search page across properties.
type InvitationListData struct {
	Q, Status string
	Total     int
	Rows      []InvitationRowData
	Pages     PageLinks
	Notice    string
}

// InvitationFormData fills the create and edit forms.
type InvitationFormData struct {
	Action                   string
	Editing                  bool
	PropertyID, PropertyName string
	Properties               []OptionData // create without a property chosen: the choice
	Email, Name, From, To    string       // dates as YYYY-MM-DD
	Errors                   []string
}

// InvitationPageData is one invitation: details, the resident's code state, the edit form and the guest links.
type InvitationPageData struct {
	Row        InvitationRowData
	TimeZone   string
	CodeStatus CodeStatusData
	Form       InvitationFormData
	Links      []GuestLinkRowData
	LinkForm   GuestLinkFormData
	NewLink    *NewGuestLinkData // only in the answer that created a link: its URL is shown once
}

// GuestLinkRowData is a guest link as staff see it.
type GuestLinkRowData struct {
	ID, GuestName         string
	Window                string
	Status, StatusKind    string // active, scheduled, expired, revoked
	LastUsed, LastUsedISO string
	Uses, Unlocks         int
	AllowUnlock           bool
	RevokeURL             string // empty when already revoked
	CodeStatus            CodeStatusData
}

// GuestLinkFormData is the form that makes a guest link.
type GuestLinkFormData struct {
	Action       string
	GuestName    string
	Starts, Ends string // datetime-local values in the property's zone
	Instructions string
	AllowUnlock  bool
	Errors       []string
}

// NewGuestLinkData is the link just made; its token exists nowhere else, so this is the only time it is shown.
type NewGuestLinkData struct {
	URL, GuestName, Window string
}

// GuestPageData is what a guest sees at /i/{token}.
type GuestPageData struct {
	Property, Address, TimeZone string
	GuestName                   string
	Window                      string
	Starts, StartsISO           string
	Instructions                string
	State                       string // before, open
	Code                        string // only while the window is open
	CodeError                   string // the code could not be read just now
	CanUnlock                   bool
	UnlockURL                   string
	Message, MessageKind        string // the outcome of an unlock
}

// GuestClosedData is the page of a link that cannot be used: it says why and nothing else.
type GuestClosedData struct {
	Title, Message string
	Status         int
}

// MoveOutConfirmData is the confirm step of a move-out: what will be removed.
type MoveOutConfirmData struct {
	PropertyID, Property string
	Email                string // the resident, or empty for everyone
	All                  bool
	Action               string
	Invitations          []InvitationRowData
	Links                []GuestLinkRowData
	Notice               string
	Error                string
}

// MoveOutPageData is a move-out's progress: each removal and whether the hardware confirmed it.
type MoveOutPageData struct {
	ID, PropertyID, Property string
	Who                      string
	Requested, RequestedISO  string
	Complete                 bool
	Completed                string
	Items                    []MoveOutItemData
	PollURL                  string // set until every removal is confirmed
}

// MoveOutItemData is one removal of a move-out.
type MoveOutItemData struct {
	Kind, Label string
	Confirmed   bool
	ConfirmedAt string
	CodeStatus  CodeStatusData
}

// codeStatusLabel is how a per-lock code state reads.
func codeStatusLabel(status string) string {
	switch status {
	case "setting":
		return "Being set…"
	case "set":
		return "Set on the lock"
	case "failed":
		return "Failed"
	case "removing":
		return "Being removed…"
	case "removed":
		return "Removed"
	}
	return humanize(status)
}

// lines splits plain text at line breaks, so a template can show them without trusting the text as HTML.
func lines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// cleanID makes a handler-built element id safe for id attributes and CSS selectors: lower case, and every
// character outside [a-z0-9-] replaced by "-".
func cleanID(s string) string {
	if s == "" {
		return "code"
	}
	return domID("x", s)[2:]
}

// SectionURL re-reads the section from the upstream (an htmx swap of the whole section).
func (d AccessSectionData) SectionURL() string {
	return "/properties/" + url.PathEscape(d.PropertyID) + "/access"
}
