package views

// Nav values name the section a page belongs to; the layout marks that link as current.
const (
	NavHome       = "home"
	NavProperties = "properties"
	NavHubs       = "hubs"
	NavUsers      = "users"
	NavAccount    = "account"
)

// PageMeta is what the layout needs around every page.
type PageMeta struct {
	Title     string       // the page's own title; the layout appends the product name
	User      *UserData    // nil when signed out (no nav, no user menu)
	Nav       string       // active section: one of the Nav* constants
	Flash     []FlashData  // one-time messages (after a redirect)
	EventsURL string       // SSE endpoint for this page; empty = no live connection
	Notices   []NoticeData // standing warnings shown under the header on every page
	RequestID string       // the request's id (X-Request-Id), shown on error pages for support to find its log lines
}

// UserData is the signed-in user as the layout shows them; the flags decide which links appear.
type UserData struct {
	Name, Email, Role string // Role is already a display label ("Admin", "Leasing staff")
	CanAdmin          bool   // manages users, the webhook inbox and the portfolio itself
	CanAudit          bool   // reads the staff audit log
	CanActivity       bool   // reads the device activity log
	CanOperate        bool   // sends device and hub commands
	CanManageAccess   bool   // issues lock codes, reservations, invitations, guest links
	CanSchedule       bool   // edits schedules
	IsInstaller       bool   // may reset master codes
	CanEditPortfolio  bool   // creates, edits and deletes properties, edits hubs, assigns devices
	CanManageAlerts   bool   // alert notification rules, webhook endpoints and the delivery log
	CanAPITokens      bool   // creates and revokes the JSON API's tokens
}

// FlashData is a one-time message. Kind is "ok", "error" or "info".
type FlashData struct {
	Kind, Message string
}

// NoticeData is a standing warning. Kind is "info", "warn" or "danger".
type NoticeData struct {
	Kind, Message string
}

// SyncData describes how fresh the local mirror is. Times are already formatted in the viewer's zone.
type SyncData struct {
	LastSynced    string // "Nov 29, 3:04 PM"; empty when the mirror was never synced
	LastSyncedISO string // RFC 3339, for <time datetime>
	Ago           string // "3 min ago"
	OK            bool   // the last attempt succeeded
	Error         string // why the last attempt failed (a mirror never synced with no Error shows only "Not synced yet")
	Stale         bool   // older than the sync interval allows
	CanSync       bool   // the viewer may start a sync
}

// BatteryData is a battery level; Low is decided by the handler's threshold.
type BatteryData struct {
	Percent int
	Known   bool // false when the device does not report a battery
	Low     bool
}

// LoginData fills the sign-in form.
type LoginData struct {
	Email string // echoed back after a failed attempt; never the password
	Error string
	Next  string // where to go after signing in (a local path; the handler validates it)
}

// AccountData is the result of the last change-password attempt.
type AccountData struct {
	Error string
	OK    string
}

// UsersData is the user admin page: every user, and the form to add one.
type UsersData struct {
	Users []UserRowData
	Roles []string // role values the create form offers, in order
	Form  UserFormData
	Error string // why the last create failed
}

// UserFormData refills the create form after a failed attempt (never the password).
type UserFormData struct {
	Email, Name, Role string
}

// UserRowData is one user's row with its inline edit form (POST /users/{id} answers with the row again).
type UserRowData struct {
	ID, Email, Name, Role string
	Disabled              bool
	Self                  bool     // the signed-in admin's own row
	Roles                 []string // role values the row's select offers
	Error                 string   // why the last save of this row failed
	Saved                 bool     // the last save of this row succeeded
}

// DOMID is the row's element id, the target its edit form swaps.
func (u UserRowData) DOMID() string { return domID("user", u.ID) }

// formID is the id of the row's edit form; the row's inputs join it with form="…" (a form cannot wrap cells).
func (u UserRowData) formID() string { return domID("user-form", u.ID) }
