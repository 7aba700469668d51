package views

// Validity types as the form names them (the upstream's words are the values).
const (
	ValidityNever  = "Never Expires"
	ValidityPeriod = "Specific Period"
	ValidityWeekly = "By Day of Week"
	ValidityDaily  = "Daily Repeating"
)

// ValidityChoices are the validity types in the order the form offers them.
var ValidityChoices = []string{ValidityNever, ValidityPeriod, ValidityWeekly, ValidityDaily}

// LockCodeFormData fills the issue/edit form. It never carries a PIN: after a failed attempt the person types it
// again, so a PIN is never written back into a page.
type LockCodeFormData struct {
	Action       string // where the form posts
	Editing      bool
	CodeID       string
	PropertyID   string
	PropertyName string
	TimeZone     string // the property's zone: every time of the form is in it
	Name         string
	Scope        string // "all" (every lock of the property) or "some"
	Locks        []LockChoiceData
	Validity     string
	Starts, Ends string // datetime-local values ("2006-01-02T15:04"), Specific Period
	Weekly       []WeeklyRowData
	DailyDays    []DayChoiceData
	DailyFrom    string // "HH:MM"
	DailyTo      string
	Errors       map[string]string // by field name; shown next to the field
	Problem      string            // what stopped the save, above the form
	Advice       string            // what to do about Problem
	CancelURL    string
	CodeKind     string // "standard" or "vendor" (issue and adopt only)
	Company      string // a vendor's company
	MaxUses      string // keypad entries after which the code is removed; "" unlimited
	AdoptSlot    int    // adopting a drifted keypad code: its slot on AdoptLock (no PIN field, no lock choice)
	AdoptLock    string // the lock's id
	AdoptName    string // the lock's name
}

// Adopting reports whether the form adopts a keypad code found by the drift check.
func (f LockCodeFormData) Adopting() bool { return f.AdoptSlot > 0 }

// ValidityURL answers with the fields of another validity type (the select swaps them in).
func (f LockCodeFormData) ValidityURL() string {
	return propertyURL(f.PropertyID) + "/lock-codes/validity"
}

// Err is the message for one field, or "".
func (f LockCodeFormData) Err(field string) string { return f.Errors[field] }

// LockChoiceData is one lock the code may go to.
type LockChoiceData struct {
	ID, Name string
	Checked  bool
	Info     string // e.g. "27 of 30 slots in use", "hub offline"
}

// WeeklyRowData is one weekday of a By Day of Week code: on or off, and its window.
type WeeklyRowData struct {
	Day      int // 0 = Sunday
	Label    string
	Checked  bool
	From, To string
}

// DayChoiceData is one weekday checkbox of a Daily Repeating code.
type DayChoiceData struct {
	Day     int
	Label   string
	Checked bool
}

// LockCodeFormPageData is the form's page.
type LockCodeFormPageData struct {
	Title string
	Form  LockCodeFormData
}
