package stays

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keyless/dashboard/domain/tz"
)

// Layouts of the HTML date and datetime-local inputs. A datetime-local value carries no zone: it is read in the
// property's zone.
const (
	DateTimeLayout = "2006-01-02T15:04"
	DateLayout     = "2006-01-02"
)

// Errors of ParseLocalDateTime, so a form can say which it was.
var (
	ErrTimeFormat = errors.New("not a date and time") // not a date input's value, or a year outside 2000–9999
	ErrTimeGap    = errors.New("a time the clocks skip")
)

// ParseLocalDateTime reads a datetime-local value as a wall-clock time in loc. A wall time the clocks skip (the
// spring-forward gap) is an error, so nobody books a check-in at 2:30 on a night that has none; a wall time that
// happens twice (fall back) means its first occurrence, the one the guest meets first.
func ParseLocalDateTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	layout := DateTimeLayout
	if len(s) == len(DateTimeLayout)+3 { // browsers may add ":SS"
		layout += ":05"
	}
	wall, err := time.Parse(layout, s)
	if err != nil || wall.Year() < 2000 || wall.Year() > 9999 {
		return time.Time{}, ErrTimeFormat
	}
	// The offsets in use around the wall time: at most two, either side of a transition.
	var found []time.Time
	seen := map[int]bool{}
	for _, probe := range []time.Duration{-26 * time.Hour, 26 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone() // wall read as UTC is within a day of the instant
		if seen[off] {
			continue
		}
		seen[off] = true
		t := wall.Add(-time.Duration(off) * time.Second)
		if t.In(loc).Format(layout) == wall.Format(layout) {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		// No transition nearby was probed, or the wall time falls in a gap: try the zone's own reading.
		t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
		if t.Format(layout) != wall.Format(layout) {
			return time.Time{}, ErrTimeGap
		}
		return t.UTC(), nil
	}
	first := found[0]
	for _, t := range found[1:] {
		if t.Before(first) {
			first = t
		}
	}
	return first.UTC(), nil
}

// DateTimeInputValue formats t for a datetime-local input in loc; empty for the zero time.
func DateTimeInputValue(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(DateTimeLayout)
}

// ParseDate reads a date input (YYYY-MM-DD) as a civil date; the result is midnight UTC of that date.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil || d.Year() < 2000 || d.Year() > 9999 {
		return time.Time{}, ErrTimeFormat
	}
	return d, nil
}

// DayStart is the instant a civil date (YYYY-MM-DD) begins in loc; with a DST change at midnight, the first
// instant of that day that exists.
func DayStart(date string, loc *time.Location) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if t.Day() != d.Day() { // midnight skipped, Go normalised backwards into the previous day
		t = t.Add(time.Hour)
	}
	return t.UTC(), nil
}

// DayEnd is the instant after the last minute of a civil date in loc (the start of the next day).
func DayEnd(date string, loc *time.Location) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	return DayStart(d.AddDate(0, 0, 1).Format(DateLayout), loc)
}

// Today is the civil date of now in loc: invitations are in whole days of the property's zone.
func Today(now time.Time, loc *time.Location) string {
	return now.In(loc).Format(DateLayout)
}

// SpanText shows a window in loc, each end with its own zone abbreviation, so a DST change inside it reads right:
// "Mar 13, 2027 3:00 PM EST – Mar 15, 2027 11:00 AM EDT".
func SpanText(from, to time.Time, loc *time.Location) string {
	return fmt.Sprintf("%s – %s", from.In(loc).Format(tz.Layout), to.In(loc).Format(tz.Layout))
}
