package views

import (
	"net/url"
	"strconv"
)

// NavDrift marks the code-drift pages in the navigation.
const NavDrift = "drift"

// LockCodesPageData is the page of one property's codes, or of one lock's.
type LockCodesPageData struct {
	Title, Subtitle string
	PropertyID      string
	PropertyName    string
	DeviceID        string // set on a lock's page
	DeviceName      string
	List            LockCodeListData
	Sync            SyncData
}

// LockCodeListData is a list of codes. On a property it shows every lock's state of each code; on a lock
// (DeviceID set) only that lock's.
type LockCodeListData struct {
	PropertyID  string
	DeviceID    string // lock scope
	AutoRefresh bool   // re-read from the upstream once the page has loaded
	CanManage   bool   // may issue, edit, delete, retry
	Codes       []LockCodeRowData
	Hidden      int    // codes beyond the list's cap, not shown
	Notice      string // why the list may be stale (the upstream could not be read)
	Checked     string // when the upstream was last read, in the property's zone
	CheckedISO  string
	TimeZone    string
}

// DOMID is the list's element id; its refresh replaces it whole.
func (l LockCodeListData) DOMID() string {
	if l.DeviceID != "" {
		return domID("lock-codes-device", l.DeviceID)
	}
	return domID("lock-codes-property", l.PropertyID)
}

// RefreshURL re-reads the list from the upstream and answers with the list fragment.
func (l LockCodeListData) RefreshURL() string {
	if l.DeviceID != "" {
		return deviceURL(l.DeviceID) + "/lock-codes/list"
	}
	return propertyURL(l.PropertyID) + "/lock-codes/list"
}

// NewURL is the form that issues a code (pre-selecting the lock on a lock's list).
func (l LockCodeListData) NewURL() string {
	u := propertyURL(l.PropertyID) + "/lock-codes/new"
	if l.DeviceID != "" {
		u += "?device=" + url.QueryEscape(l.DeviceID)
	}
	return u
}

// LockCodeRowData is one code in a list. It never carries the PIN: revealing goes through its own request.
type LockCodeRowData struct {
	ID, Name   string
	Validity   string // e.g. "Dec 1, 2026 3:00 PM CST – Dec 5, 2026 11:00 AM CST", "Mon, Wed 09:00–17:00"
	Kind       string // the validity type, as the upstream names it
	IssuedBy   string // a person here, or "Smart Home (reservation, invitation…)"
	CodeType   string
	DeviceID   string // the lock whose list this row is in; empty on a property list
	Ended      bool   // a period that is over
	Deleted    bool   // deletion asked for or noticed
	Failed     bool   // some lock failed to take it
	Statuses   []LockCodeStatusData
	CanReveal  bool // the viewer issued it, or may reveal anyone's
	CanManage  bool
	Confirming bool   // the delete confirmation is open
	Message    string // the result of the last action on this row
	Error      string // why the last action on this row failed
	CodeKind   string // "standard" or "vendor"
	Company    string // a vendor code's company
	MaxUses    int    // keypad entries allowed; 0 unlimited
	Uses       int    // keypad entries counted
	Adopted    bool   // adopted from a drifted keypad code
}

// RowClass is the row's CSS class: vendor codes have a colour of their own.
func (r LockCodeRowData) RowClass() string {
	if r.CodeKind == "vendor" {
		return "lc-kind-vendor"
	}
	return ""
}

// UsesText says how many of a limited-use code's entries are used and left, or that it was removed after them.
func (r LockCodeRowData) UsesText() string {
	switch {
	case r.MaxUses == 0:
		return ""
	case r.Uses >= r.MaxUses:
		return "Removed after " + plural(r.MaxUses, "use", "uses")
	}
	return strconv.Itoa(r.Uses) + " of " + strconv.Itoa(r.MaxUses) + " entries used · " + strconv.Itoa(r.MaxUses-r.Uses) + " left"
}

// DOMID is the row's element id.
func (r LockCodeRowData) DOMID() string { return domID("lock-code", r.ID) }

// ActionsID is the id of the row's actions cell, which a live update may ask to refresh.
func (r LockCodeRowData) ActionsID() string { return domID("lock-code-actions", r.ID) }

// PINID is the id of the masked (or revealed) PIN.
func (r LockCodeRowData) PINID() string { return domID("lock-code-pin", r.ID) }

// scoped adds the lock scope to one of the row's action URLs.
func (r LockCodeRowData) scoped(action string) string {
	u := "/lock-codes/" + url.PathEscape(r.ID) + action
	if r.DeviceID != "" {
		u += "?device=" + url.QueryEscape(r.DeviceID)
	}
	return u
}

// LockCodeStatusData is a code's state on one lock: the fragment a live update replaces. It carries no PIN and no
// code name, only the state, so any viewer of the property may receive it.
type LockCodeStatusData struct {
	CodeID, DeviceID string
	LockName         string
	Status           string // setting | set | failed | removing | removed
	Slot             int    // 0 when not in a slot
	Reason           string // with failed: what went wrong
	Advice           string // with failed: what to do
	When, WhenISO    string // confirmed at (settled states) or asked at (in flight), in the property's zone
	ActionsURL       string // set when the row's actions should be re-read (a lock failed)
}

// DOMID is the element the live update swaps; EventName is the SSE event that carries it (the same string).
func (s LockCodeStatusData) DOMID() string     { return domID("lcs", s.CodeID+"-"+s.DeviceID) }
func (s LockCodeStatusData) EventName() string { return s.DOMID() }

// Label is the state as a word.
func (s LockCodeStatusData) Label() string {
	switch s.Status {
	case "setting":
		return "Setting"
	case "set":
		return "Set"
	case "failed":
		return "Failed"
	case "removing":
		return "Removing"
	case "removed":
		return "Removed"
	}
	return orDash(humanize(s.Status))
}

func (s LockCodeStatusData) badgeClass() string {
	switch s.Status {
	case "set":
		return "badge badge-ok"
	case "failed":
		return "badge badge-danger"
	case "setting", "removing":
		return "badge badge-info"
	}
	return "badge badge-muted"
}

// Settled reports whether the lock has answered (no longer in flight).
func (s LockCodeStatusData) Settled() bool { return s.Status != "setting" && s.Status != "removing" }
