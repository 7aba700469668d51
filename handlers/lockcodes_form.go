package handlers

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Form limits.
const (
	lcMaxForm        = 32 << 10                 // bytes of one issue/edit form
	lcMaxWindow      = 5 * 366 * 24 * time.Hour // a Specific Period longer than this is a typo
	lcLocalLayout    = "2006-01-02T15:04"
	lcLocalLayoutSec = "2006-01-02T15:04:05"
)

// lcForm is the issue/edit form as typed, minus the PIN, which is read once and never echoed back.
type lcForm struct {
	name, scope, validity string
	devices               []string
	starts, ends          string
	weekly                [7]struct {
		on       bool
		from, to string
	}
	dailyDays          [7]bool
	dailyFrom, dailyTo string
	kind, company      string // issue and adopt only: an edit keeps a code's terms
	maxUses            string
}

// lcInput is a validated form.
type lcInput struct {
	name     string
	pin      smarthome.PIN // empty when an edit keeps the PIN
	all      bool          // every lock of the property
	devices  []string
	validity access.Validity
	terms    access.Terms
}

func lcReadCodeForm(r *http.Request) lcForm {
	f := lcForm{name: strings.TrimSpace(r.PostForm.Get("name")), scope: r.PostForm.Get("scope"),
		validity: r.PostForm.Get("validity"), devices: r.PostForm["device"], starts: strings.TrimSpace(r.PostForm.Get("starts_at")),
		ends: strings.TrimSpace(r.PostForm.Get("ends_at")), dailyFrom: strings.TrimSpace(r.PostForm.Get("daily_from")),
		dailyTo: strings.TrimSpace(r.PostForm.Get("daily_to")), kind: r.PostForm.Get("kind"),
		company: strings.TrimSpace(r.PostForm.Get("company")), maxUses: strings.TrimSpace(r.PostForm.Get("max_uses"))}
	for d := range 7 {
		k := strconv.Itoa(d)
		f.weekly[d].on = r.PostForm.Get("day_"+k) != ""
		f.weekly[d].from, f.weekly[d].to = strings.TrimSpace(r.PostForm.Get("from_"+k)), strings.TrimSpace(r.PostForm.Get("to_"+k))
	}
	for _, v := range r.PostForm["daily_day"] {
		if d, err := strconv.Atoi(v); err == nil && d >= 0 && d <= 6 {
			f.dailyDays[d] = true
		}
	}
	return f
}

// lcTextProblem checks a free-text field: required or not, at most max characters, no markup, no control characters.
func lcTextProblem(label, v string, maxLen int, required bool) string {
	switch {
	case v == "" && required:
		return "Enter a " + strings.ToLower(label) + "."
	case !utf8.ValidString(v):
		return label + " contains characters that are not text."
	case utf8.RuneCountInString(v) > maxLen:
		return fmt.Sprintf("%s must be at most %d characters.", label, maxLen)
	case strings.ContainsAny(v, "<>"):
		return label + " cannot contain < or >: it is shown by other tools that may not escape it."
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return label + " cannot contain control characters such as line breaks or tabs."
	}
	return ""
}

// lcPINProblem checks a PIN: 4 to 8 digits, and not one a stranger would try first.
func lcPINProblem(pin string) string {
	if len(pin) < 4 || len(pin) > 8 || strings.Trim(pin, "0123456789") != "" {
		return "Enter a PIN of 4 to 8 digits."
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		same = same && pin[i] == pin[0]
		up = up && pin[i] == pin[i-1]+1
		down = down && pin[i] == pin[i-1]-1
	}
	if same || up || down {
		return "This PIN is too easy to guess (one repeated digit, or a run like 1234). Choose another."
	}
	return ""
}

// validate checks the form for scope sc; pinRaw is the typed PIN (optional when editing).
func (f lcForm) validate(sc lcScope, editing bool, pinRaw string, now time.Time) (lcInput, map[string]string) {
	in := lcInput{name: f.name}
	problems := map[string]string{}
	if p := lcTextProblem("Name", f.name, smarthome.MaxCodeNameLength, true); p != "" {
		problems["name"] = p
	}
	pinRaw = strings.TrimSpace(pinRaw)
	if pinRaw != "" || !editing {
		if p := lcPINProblem(pinRaw); p != "" {
			problems["pin"] = p
		} else {
			in.pin = smarthome.PIN(pinRaw)
		}
	}
	if !editing {
		f.validateLocks(sc, &in, problems)
		in.terms = f.validateTerms(problems)
	}
	var field, p string
	if in.validity, field, p = f.validateValidity(sc.loc, now); p != "" {
		problems[field] = p
	}
	return in, problems
}

func (f lcForm) validateLocks(sc lcScope, in *lcInput, problems map[string]string) {
	switch {
	case len(sc.locks) == 0:
		problems["device"] = "This property has no lock to put a code on."
	case f.scope == "some":
		if len(f.devices) == 0 {
			problems["device"] = "Choose at least one lock, or every lock of the property."
			return
		}
		if len(f.devices) > len(sc.locks) {
			problems["device"] = "Too many locks chosen."
			return
		}
		for _, id := range f.devices {
			if !slices.ContainsFunc(sc.locks, func(l db.Device) bool { return l.ID == id }) {
				problems["device"] = "One of the chosen locks is not a lock of this property (was it removed?). Reload the form."
				return
			}
			if !slices.Contains(in.devices, id) {
				in.devices = append(in.devices, id)
			}
		}
	case f.scope == "all" || f.scope == "":
		in.all = true
	default:
		problems["device"] = "Choose every lock of the property, or some of them."
	}
}

// lcMaxCompany is the longest company name of a vendor code.
const lcMaxCompany = 80

// validateTerms reads the code's kind, company and limit on entries (empty: unlimited).
func (f lcForm) validateTerms(problems map[string]string) access.Terms {
	t := access.Terms{Kind: db.CodeKindStandard, Company: f.company}
	switch f.kind {
	case "", db.CodeKindStandard:
	case db.CodeKindVendor:
		t.Kind = db.CodeKindVendor
	default:
		problems["kind"] = "Choose a standard or a vendor code."
	}
	if p := lcTextProblem("Company", f.company, lcMaxCompany, false); p != "" {
		problems["company"] = p
	}
	if f.maxUses != "" {
		n, err := strconv.Atoi(f.maxUses)
		if err != nil || n < 1 || n > db.MaxCodeUses {
			problems["max_uses"] = fmt.Sprintf("Entries: a whole number from 1 to %d, or empty for unlimited.", db.MaxCodeUses)
		}
		t.MaxUses = n
	}
	return t
}

// validityField is the field a validity problem is shown next to.
func (f lcForm) validityField() string {
	switch f.validity {
	case smarthome.ValiditySpecificPeriod:
		return "ends_at"
	case smarthome.ValidityDayOfWeek:
		return "weekly"
	case smarthome.ValidityDailyRepeating:
		return "daily"
	}
	return "validity"
}

// validateValidity reads the fields of the chosen validity type in loc; a problem comes with the field it is shown
// next to.
func (f lcForm) validateValidity(loc *time.Location, now time.Time) (access.Validity, string, string) {
	v := access.Validity{Kind: f.validity}
	switch f.validity {
	case smarthome.ValidityNeverExpires:
		return v, f.validityField(), ""
	case smarthome.ValiditySpecificPeriod:
		start, p := lcParseLocal("Start", f.starts, loc)
		if p != "" {
			return v, "starts_at", p
		}
		end, p := lcParseLocal("End", f.ends, loc)
		switch {
		case p != "":
			return v, f.validityField(), p
		case !end.After(start):
			return v, f.validityField(), "The end must be after the start."
		case !end.After(now):
			return v, f.validityField(), "The end is in the past: the code would never work."
		case end.Sub(start) > lcMaxWindow:
			return v, f.validityField(), "A period may last at most 5 years; for longer, choose Never Expires."
		}
		v.Start, v.End = start.UTC(), end.UTC()
		return v, f.validityField(), ""
	case smarthome.ValidityDayOfWeek:
		for d, row := range f.weekly {
			if !row.on {
				continue
			}
			if p := lcWindowProblem(time.Weekday(d).String(), row.from, row.to); p != "" {
				return v, f.validityField(), p
			}
			v.Windows = append(v.Windows, access.Window{Days: []time.Weekday{time.Weekday(d)}, From: row.from, To: row.to})
		}
		if len(v.Windows) == 0 {
			return v, f.validityField(), "Tick at least one day and give its hours."
		}
		return v, f.validityField(), ""
	case smarthome.ValidityDailyRepeating:
		w := access.Window{From: f.dailyFrom, To: f.dailyTo}
		for d, on := range f.dailyDays {
			if on {
				w.Days = append(w.Days, time.Weekday(d))
			}
		}
		if len(w.Days) == 0 {
			return v, f.validityField(), "Tick at least one day."
		}
		if p := lcWindowProblem("The window", w.From, w.To); p != "" {
			return v, f.validityField(), p
		}
		v.Windows = []access.Window{w}
		return v, f.validityField(), ""
	}
	return v, f.validityField(), "Choose when the code is valid."
}

// lcWindowProblem checks an HH:MM..HH:MM window within one day.
func lcWindowProblem(label, from, to string) string {
	f, err1 := smarthome.ParseTimeOfDay(from)
	t, err2 := smarthome.ParseTimeOfDay(to)
	switch {
	case err1 != nil || err2 != nil:
		return label + ": enter both times as HH:MM."
	case f.Hour*60+f.Minute >= t.Hour*60+t.Minute:
		return label + ": the window must end after it starts, on the same day."
	}
	return ""
}

// lcParseLocal reads a datetime-local value as a wall-clock time in loc. A time that the clocks skip (the hour lost
// when daylight saving starts) is refused rather than silently moved.
func lcParseLocal(label, v string, loc *time.Location) (time.Time, string) {
	if v == "" {
		return time.Time{}, label + ": enter a date and time."
	}
	if len(v) > len(lcLocalLayoutSec) {
		return time.Time{}, label + ": not a date and time."
	}
	layout := lcLocalLayout
	if len(v) == len(lcLocalLayoutSec) {
		layout = lcLocalLayoutSec
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, label + ": not a date and time (want YYYY-MM-DDTHH:MM)."
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, label + ": the year must be between 2000 and 2100."
	}
	if t.Format(layout) != v {
		return time.Time{}, fmt.Sprintf("%s: %s does not exist in %s (the clocks skip it for daylight saving). Choose another time.",
			label, strings.Replace(v, "T", " ", 1), loc)
	}
	return t.Truncate(time.Minute), ""
}

// view is the form's data for re-rendering: what was typed, never the PIN.
func (f lcForm) view(sc lcScope, action string, editing bool, problems map[string]string) views.LockCodeFormData {
	v := views.LockCodeFormData{Action: action, Editing: editing, PropertyID: sc.propertyID(),
		PropertyName: sc.property.Name, TimeZone: cmp.Or(sc.property.TimeZone, "UTC"), Name: f.name,
		Scope: f.scope, Validity: f.validity, Starts: f.starts, Ends: f.ends, DailyFrom: f.dailyFrom, DailyTo: f.dailyTo,
		CodeKind: cmp.Or(f.kind, db.CodeKindStandard), Company: f.company, MaxUses: f.maxUses,
		Errors: problems, CancelURL: lcPropertyPath(sc.property.ID) + "/lock-codes"}
	if !slices.Contains(views.ValidityChoices, v.Validity) {
		v.Validity = views.ValidityNever
	}
	for _, l := range sc.locks {
		v.Locks = append(v.Locks, views.LockChoiceData{ID: l.ID, Name: deviceName(l), Checked: slices.Contains(f.devices, l.ID),
			Info: lcLockInfo(l)})
	}
	for d := range 7 {
		row := f.weekly[d]
		v.Weekly = append(v.Weekly, views.WeeklyRowData{Day: d, Label: time.Weekday(d).String(), Checked: row.on,
			From: row.from, To: row.to})
		v.DailyDays = append(v.DailyDays, views.DayChoiceData{Day: d, Label: time.Weekday(d).String()[:3], Checked: f.dailyDays[d]})
	}
	return v
}

// lcLockInfo tells, next to a lock in the form, why it may not take a code.
func lcLockInfo(l db.Device) string {
	used, total := access.SlotUsage(l)
	switch {
	case !l.Online:
		return "offline: the code waits until it is back"
	case total > 0 && used >= total:
		return fmt.Sprintf("full: %d of %d slots in use", used, total)
	case total > 0:
		return fmt.Sprintf("%d of %d slots in use", used, total)
	}
	return ""
}
