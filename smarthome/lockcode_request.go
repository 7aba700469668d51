package smarthome

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// MaxCodeNameLength is the longest lock-code name (in characters) the routes accept.
const MaxCodeNameLength = 64

// LockCodeRequest creates a lock code. Name, Code, ValidityType and exactly one target (DeviceID, DeviceIDs,
// HubID — every lock of the hub — or PropertyID — every lock of the property) are required. Use the Set…
// methods to fill the validity fields from time values.
type LockCodeRequest struct {
	Name                string          `json:"name"`
	Code                PIN             `json:"code"` // 4–8 digits
	ValidityType        string          `json:"validity_type"`
	FromDate            string          `json:"from_date,omitempty"` // Specific Period: LockCodeDateLayout, hub-local
	ToDate              string          `json:"to_date,omitempty"`
	ScheduleDetailsInfo []ScheduleEntry `json:"schedule_details_info,omitempty"`
	CodeType            string          `json:"code_type,omitempty"` // CodeTypeVacancy for a vacancy code
	DeviceID            string          `json:"device_id,omitempty"`
	DeviceIDs           []string        `json:"device_ids,omitempty"`
	HubID               string          `json:"hub_id,omitempty"`
	PropertyID          int64           `json:"property_id,omitempty"`
}

// ScheduleEntry is one window of a recurring lock code. "By Day of Week" entries carry Day (0–6, Sunday 0);
// "Daily Repeating" entries carry Weekdays ("0"–"6", strings on the wire). From and To are "HH:MM", From < To.
type ScheduleEntry struct {
	Day      *int     `json:"d,omitempty"`
	Weekdays []string `json:"wd,omitempty"`
	From     string   `json:"f"`
	To       string   `json:"t"`
}

// DayOfWeekEntry is a "By Day of Week" window on day from..to.
func DayOfWeekEntry(day time.Weekday, from, to TimeOfDay) ScheduleEntry {
	d := int(day)
	return ScheduleEntry{Day: &d, From: from.String(), To: to.String()}
}

// DailyEntry is a "Daily Repeating" window from..to on each of days.
func DailyEntry(days []time.Weekday, from, to TimeOfDay) ScheduleEntry {
	wd := make([]string, len(days))
	for i, d := range days {
		wd[i] = fmt.Sprint(int(d))
	}
	return ScheduleEntry{Weekdays: wd, From: from.String(), To: to.String()}
}

// SetSpecificPeriod makes the code valid from..to, written in loc (the hub's zone) to the minute.
func (r *LockCodeRequest) SetSpecificPeriod(from, to time.Time, loc *time.Location) {
	r.ValidityType, r.ScheduleDetailsInfo = ValiditySpecificPeriod, nil
	r.FromDate, r.ToDate = FormatLockCodeTime(from, loc), FormatLockCodeTime(to, loc)
}

// SetDayOfWeek makes the code valid in weekly windows (build them with DayOfWeekEntry).
func (r *LockCodeRequest) SetDayOfWeek(entries ...ScheduleEntry) {
	r.ValidityType, r.FromDate, r.ToDate, r.ScheduleDetailsInfo = ValidityDayOfWeek, "", "", entries
}

// SetDailyRepeating makes the code valid in daily windows (build them with DailyEntry).
func (r *LockCodeRequest) SetDailyRepeating(entries ...ScheduleEntry) {
	r.ValidityType, r.FromDate, r.ToDate, r.ScheduleDetailsInfo = ValidityDailyRepeating, "", "", entries
}

// SetNeverExpires makes the code permanent.
func (r *LockCodeRequest) SetNeverExpires() {
	r.ValidityType, r.FromDate, r.ToDate, r.ScheduleDetailsInfo = ValidityNeverExpires, "", "", nil
}

// Validate applies the field rules of the create route. Its messages never include the PIN.
func (r LockCodeRequest) Validate() error {
	if err := validateNameAndCode(&r.Name, &r.Code); err != nil {
		return err
	}
	targets := 0
	for _, set := range []bool{r.DeviceID != "", len(r.DeviceIDs) > 0, r.HubID != "", r.PropertyID != 0} {
		if set {
			targets++
		}
	}
	if targets != 1 {
		return validationError("give exactly one of device_id, device_ids, hub_id and property_id (got %d)", targets)
	}
	for _, id := range r.DeviceIDs {
		if id == "" {
			return validationError("empty id in device_ids")
		}
	}
	return validateValidity(r.ValidityType, r.FromDate, r.ToDate, r.ScheduleDetailsInfo)
}

// LockCodeUpdate changes a lock code; nil fields are not sent. When ValidityType is set, the fields that type
// needs must be set too.
type LockCodeUpdate struct {
	Name                *string         `json:"name,omitempty"`
	Code                *PIN            `json:"code,omitempty"`
	ValidityType        *string         `json:"validity_type,omitempty"`
	FromDate            *string         `json:"from_date,omitempty"`
	ToDate              *string         `json:"to_date,omitempty"`
	ScheduleDetailsInfo []ScheduleEntry `json:"schedule_details_info,omitempty"`
}

// Validate checks the fields that are set.
func (u LockCodeUpdate) Validate() error {
	if u.Name == nil && u.Code == nil && u.ValidityType == nil && u.FromDate == nil && u.ToDate == nil && u.ScheduleDetailsInfo == nil {
		return validationError("lock code update sets no field")
	}
	if err := validateNameAndCode(u.Name, u.Code); err != nil {
		return err
	}
	from, to := deref(u.FromDate), deref(u.ToDate)
	if u.ValidityType != nil {
		return validateValidity(*u.ValidityType, from, to, u.ScheduleDetailsInfo)
	}
	if from != "" && to != "" {
		return validatePeriod(from, to)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func validateNameAndCode(name *string, code *PIN) error {
	if name != nil {
		if n := utf8.RuneCountInString(*name); n < 1 || n > MaxCodeNameLength {
			return validationError("name must be 1 to %d characters", MaxCodeNameLength)
		}
	}
	if code != nil && !validPIN(*code) {
		return validationError("code must be 4 to 8 digits")
	}
	return nil
}

func validateValidity(kind, from, to string, entries []ScheduleEntry) error {
	switch kind {
	case ValiditySpecificPeriod:
		if len(entries) > 0 {
			return validationError("a Specific Period code takes no schedule entries")
		}
		return validatePeriod(from, to)
	case ValidityNeverExpires:
		if from != "" || to != "" || len(entries) > 0 {
			return validationError("a Never Expires code takes no dates or schedule")
		}
		return nil
	case ValidityDayOfWeek, ValidityDailyRepeating:
		if from != "" || to != "" {
			return validationError("a %s code takes no from/to dates", kind)
		}
		if len(entries) == 0 {
			return validationError("a %s code needs schedule entries", kind)
		}
		for i, e := range entries {
			if err := e.validate(kind); err != nil {
				return fmt.Errorf("schedule entry %d: %w", i, err)
			}
		}
		return nil
	}
	return validationError("unknown validity_type %q", kind)
}

func validatePeriod(from, to string) error {
	if from == "" || to == "" {
		return validationError("a Specific Period code needs from_date and to_date")
	}
	f, err := time.Parse(LockCodeDateLayout, from)
	if err != nil {
		return validationError("from_date %q: want YYYY-MM-DD HH-MM", from)
	}
	t, err := time.Parse(LockCodeDateLayout, to)
	if err != nil {
		return validationError("to_date %q: want YYYY-MM-DD HH-MM", to)
	}
	if !f.Before(t) {
		return validationError("from_date %s must be before to_date %s", from, to)
	}
	return nil
}

func (e ScheduleEntry) validate(kind string) error {
	if kind == ValidityDayOfWeek {
		if e.Day == nil || *e.Day < 0 || *e.Day > 6 || len(e.Weekdays) > 0 {
			return validationError("a By Day of Week entry needs d in 0–6 and no wd")
		}
	} else {
		if e.Day != nil || len(e.Weekdays) == 0 {
			return validationError("a Daily Repeating entry needs wd and no d")
		}
		for _, d := range e.Weekdays {
			if len(d) != 1 || d[0] < '0' || d[0] > '6' {
				return validationError("wd %q: want \"0\" to \"6\"", d)
			}
		}
	}
	f, err := ParseTimeOfDay(e.From)
	if err != nil {
		return validationError("f: %v", err)
	}
	t, err := ParseTimeOfDay(e.To)
	if err != nil {
		return validationError("t: %v", err)
	}
	if f.minutes() >= t.minutes() {
		return validationError("f %s must be before t %s", e.From, e.To)
	}
	return nil
}
