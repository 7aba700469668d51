package smarthome

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Per-endpoint time layouts (reference §2.2). The API does not use one format, so each field names its own.
const (
	// ActivityDateLayout is desired_activities' from_date and to_date: MM/DD/YYYY.
	ActivityDateLayout = "01/02/2006"
	// LockCodeDateLayout is a "Specific Period" lock code's from_date and to_date, in the hub's local time. Note
	// the dash between hour and minute.
	LockCodeDateLayout = "2006-01-02 15-04"
	// ClockLayout is a lock-code schedule entry's f and t, and a schedule block's from and to.
	ClockLayout = "15:04"
	// LockboxDateLayout is the v1 lockbox mls_unlock date, in the lockbox's zone.
	LockboxDateLayout = "2006-01-02"
	// InvitationDateLayout is an invitation's from_time and to_time.
	InvitationDateLayout = "01/02/2006"
	// HubActiveLayout is a hub's active_from and active_to, e.g. "1/1/2000 12:00 am".
	HubActiveLayout = "1/2/2006 3:04 pm"
	// HubAssignedDateLayout is a hub's assigned_date, e.g. "2012-07-23".
	HubAssignedDateLayout = "2006-01-02"
	// WebhookTimeLayout is the string form of a webhook's activity_time.
	WebhookTimeLayout = "2006-01-02 15:04:05 UTC"
)

// EpochSeconds renders t as the decimal epoch seconds the mls_unlock routes take.
func EpochSeconds(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// ParseISOTime parses the ISO-8601 timestamps of device and hub status ("2021-01-01T08:20:49.224Z") and
// log_mindate (with an offset).
func ParseISOTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("smarthome: time %q is not ISO-8601: %w", s, err)
	}
	return t, nil
}

// ParseHubActiveTime parses a hub's active_from/active_to in loc (the hub's zone).
func ParseHubActiveTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(HubActiveLayout, strings.ToLower(strings.TrimSpace(s)), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("smarthome: hub active time %q: %w", s, err)
	}
	return t, nil
}

// FormatLockCodeTime renders t in loc (the hub's zone) as a lock code's from_date/to_date. Seconds are dropped.
func FormatLockCodeTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(LockCodeDateLayout)
}

// ParseLockCodeTime reads a lock code's from_date/to_date as a time in loc (the hub's zone).
func ParseLockCodeTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(LockCodeDateLayout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("smarthome: lock code time %q: want YYYY-MM-DD HH-MM: %w", s, err)
	}
	return t, nil
}

// ParseThermostatSchedule splits a thermostat's settings.schedule, "<uuid>|<ISO time>", into its parts.
func ParseThermostatSchedule(s string) (id string, since time.Time, err error) {
	id, ts, ok := strings.Cut(s, "|")
	if !ok || id == "" {
		return "", time.Time{}, fmt.Errorf("smarthome: thermostat schedule %q: want <id>|<time>", s)
	}
	since, err = ParseISOTime(ts)
	return id, since, err
}

// TimeOfDay is a wall-clock time, the "HH:MM" of lock-code schedule entries and schedule blocks.
type TimeOfDay struct {
	Hour, Minute int
}

// ClockOf returns the wall-clock time of t in loc.
func ClockOf(t time.Time, loc *time.Location) TimeOfDay {
	t = t.In(loc)
	return TimeOfDay{Hour: t.Hour(), Minute: t.Minute()}
}

// String renders "HH:MM".
func (c TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// ParseTimeOfDay reads a strict "HH:MM" (00:00–23:59).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	if len(s) != 5 || s[2] != ':' || !allDigits(s[:2]) || !allDigits(s[3:]) {
		return TimeOfDay{}, fmt.Errorf("smarthome: time of day %q: want HH:MM", s)
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if h > 23 || m > 59 {
		return TimeOfDay{}, fmt.Errorf("smarthome: time of day %q out of range", s)
	}
	return TimeOfDay{Hour: h, Minute: m}, nil
}

func (c TimeOfDay) minutes() int { return c.Hour*60 + c.Minute }

// civilDays counts calendar days from a to b (each read in its own zone), ignoring the clock and DST.
func civilDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da) / (24 * time.Hour))
}
