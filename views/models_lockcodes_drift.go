package views

// Kinds of drift between the codes issued here and the codes a lock reports.
const (
	DriftUnknown = "unknown" // a PIN on the lock that no code here accounts for (a security risk)
	DriftMissing = "missing" // a code here says set, but the lock does not hold its PIN
	DriftExpired = "expired" // a code whose window ended is still on the lock
)

// DriftPageData compares, lock by lock, the codes issued here with what each lock reports now.
type DriftPageData struct {
	PropertyID, PropertyName string
	TimeZone                 string
	Checked, CheckedISO      string // when the locks were read
	Locks                    []DriftLockData
	Differences              int
	Notice                   string // e.g. the code list could not be refreshed first
	Message                  string // the result of the last remedy
	Error                    string // why the last remedy failed
}

// DriftLockData is one lock's comparison.
type DriftLockData struct {
	DeviceID, Name string
	Error          string // the lock could not be read; nothing is known about it
	SlotsUsed      int
	SlotsTotal     int // 0 when the lock does not say
	Matched        int // codes here that are on the lock as they should be
	Pending        int // codes here still being set or removed (not drift)
	Items          []DriftItemData
}

// DriftItemData is one difference and its remedy. PINs never appear: unknown codes are named by slot.
type DriftItemData struct {
	Kind       string // DriftUnknown, DriftMissing, DriftExpired
	Slot       int
	DeviceID   string
	CodeID     string
	CodeName   string
	Detail     string // what exactly differs
	Remedy     string // the remedy's button label; empty when none can be done from here
	RemedyURL  string
	Manual     string // what a person must do instead when there is no remedy here
	AdoptURL   string // DriftUnknown: the form that makes the keypad code a managed one; empty when it cannot be
	EndedLocal string // DriftExpired: when the window ended, in the property's zone
}

// Title names the kind of difference.
func (i DriftItemData) Title() string {
	switch i.Kind {
	case DriftUnknown:
		return "Code nobody issued here"
	case DriftMissing:
		return "Issued code missing from the lock"
	case DriftExpired:
		return "Code still on the lock after its window ended"
	}
	return orDash(humanize(i.Kind))
}

func (i DriftItemData) badgeClass() string {
	if i.Kind == DriftUnknown {
		return "badge badge-danger"
	}
	return "badge badge-warn"
}

// DriftIndexData picks the property whose locks to compare.
type DriftIndexData struct {
	Q     string
	Rows  []DriftPropertyData
	Total int
}

// DriftPropertyData is one property in the picker.
type DriftPropertyData struct {
	ID, Name, City string
	Locks          int
}

// UnlockCodeData is a one-off unlock form and, once issued, the code, shown this once.
type UnlockCodeData struct {
	Action   string // where the form posts
	Kind     string // "hub" or "lock"
	TargetID string
	Serial   string // hub: the hub's serial (fixed); lock: the lockbox/Blue/Smart Bolt serial typed in
	Name     string
	Phone    string
	Starts   string // lock only: datetime-local in TimeZone
	Ends     string
	TimeZone string
	Errors   map[string]string
	Problem  string
	Code     string // the issued code; only in the answer to the POST that issued it
	Validity string // what the issued code allows, in words
	Disabled string // why the form cannot be used now (e.g. the hub is offline)
}

// DOMID is the form section's id; the POST answers with the section.
func (u UnlockCodeData) DOMID() string { return domID("unlock-code", u.Kind+"-"+u.TargetID) }

// Err is the message for one field, or "".
func (u UnlockCodeData) Err(field string) string { return u.Errors[field] }
