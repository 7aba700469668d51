package access

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// Window is one recurring window of a lock code: on each of Days, from From until To (exclusive), in the lock's
// wall-clock time. Wall-clock on purpose: a daily 09:00 stays 09:00 when daylight saving starts, as on the lock.
type Window struct {
	Days []time.Weekday `json:"days"`
	From string         `json:"from"` // "HH:MM"
	To   string         `json:"to"`
}

// Validity is when a code opens its locks, in one of the four upstream validity types: the one rule conflicts,
// drift and the pages read a code's times by.
type Validity struct {
	Kind       string    // smarthome.Validity…
	Start, End time.Time // Specific Period: UTC instants
	Windows    []Window  // By Day of Week (one day per window) and Daily Repeating
}

// overlapHorizon bounds the minute-by-minute walk of a period against recurring windows; a longer period contains
// two full weeks, so it meets every window that ever occurs.
const overlapHorizon = 15 * 24 * time.Hour

// ValidityOf reads a mirrored code's validity.
func ValidityOf(c db.LockCode) (Validity, error) {
	v := Validity{Kind: c.ValidityType}
	switch c.ValidityType {
	case smarthome.ValiditySpecificPeriod:
		if c.StartsAt == nil || c.EndsAt == nil {
			return v, fmt.Errorf("lock code %s: a period without dates", c.ID)
		}
		v.Start, v.End = *c.StartsAt, *c.EndsAt
	case smarthome.ValidityDayOfWeek, smarthome.ValidityDailyRepeating:
		if err := json.Unmarshal([]byte(c.Schedule), &v.Windows); err != nil {
			return v, fmt.Errorf("lock code %s: schedule: %w", c.ID, err)
		}
	}
	return v, nil
}

// ScheduleJSON is the mirror's form of the windows ("[]" for the other types).
func (v Validity) ScheduleJSON() string {
	if len(v.Windows) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v.Windows) // plain slices of ints and strings always marshal
	return string(b)
}

// ValidityFromUpstream reads an upstream code's validity; its dates are wall-clock times in loc (the hub's zone).
// prev is the mirrored version, if any: when a date reads back as the same wall-clock minute, its stored instant is
// kept, so the repeated hour of a daylight-saving fall-back does not flip between its two readings.
func ValidityFromUpstream(lc *smarthome.LockCode, loc *time.Location, prev *db.LockCode) (Validity, error) {
	v := Validity{Kind: lc.ValidityType}
	switch lc.ValidityType {
	case smarthome.ValiditySpecificPeriod:
		var err error
		if v.Start, err = upstreamTime(lc.FromDate, loc, prevTime(prev, true)); err != nil {
			return v, err
		}
		if v.End, err = upstreamTime(lc.ToDate, loc, prevTime(prev, false)); err != nil {
			return v, err
		}
	case smarthome.ValidityDayOfWeek:
		for _, e := range lc.ScheduleDetailsInfo {
			if e.Day == nil || *e.Day < 0 || *e.Day > 6 {
				return v, fmt.Errorf("lock code %s: a By Day of Week entry without a day", lc.ID)
			}
			v.Windows = append(v.Windows, Window{Days: []time.Weekday{time.Weekday(*e.Day)}, From: e.From, To: e.To})
		}
	case smarthome.ValidityDailyRepeating:
		for _, e := range lc.ScheduleDetailsInfo {
			w := Window{From: e.From, To: e.To}
			for _, d := range e.Weekdays {
				if len(d) != 1 || d[0] < '0' || d[0] > '6' {
					return v, fmt.Errorf("lock code %s: weekday %q", lc.ID, d)
				}
				w.Days = append(w.Days, time.Weekday(d[0]-'0'))
			}
			v.Windows = append(v.Windows, w)
		}
	case smarthome.ValidityNeverExpires:
	default:
		return v, fmt.Errorf("lock code %s: unknown validity type %q", lc.ID, lc.ValidityType)
	}
	return v, nil
}

func prevTime(prev *db.LockCode, start bool) *time.Time {
	switch {
	case prev == nil:
		return nil
	case start:
		return prev.StartsAt
	default:
		return prev.EndsAt
	}
}

func upstreamTime(s string, loc *time.Location, prev *time.Time) (time.Time, error) {
	if prev != nil && smarthome.FormatLockCodeTime(*prev, loc) == s {
		return *prev, nil
	}
	t, err := smarthome.ParseLockCodeTime(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// Request fills the validity fields of a create request; loc is the zone the upstream reads the dates in.
func (v Validity) Request(r *smarthome.LockCodeRequest, loc *time.Location) {
	switch v.Kind {
	case smarthome.ValiditySpecificPeriod:
		r.SetSpecificPeriod(v.Start, v.End, loc)
	case smarthome.ValidityDayOfWeek:
		var entries []smarthome.ScheduleEntry
		for _, w := range v.Windows {
			from, to := clock(w.From), clock(w.To)
			for _, d := range w.Days {
				entries = append(entries, smarthome.DayOfWeekEntry(d, from, to))
			}
		}
		r.SetDayOfWeek(entries...)
	case smarthome.ValidityDailyRepeating:
		var entries []smarthome.ScheduleEntry
		for _, w := range v.Windows {
			entries = append(entries, smarthome.DailyEntry(w.Days, clock(w.From), clock(w.To)))
		}
		r.SetDailyRepeating(entries...)
	default:
		r.SetNeverExpires()
	}
}

// Update is the same validity as the fields of an update request.
func (v Validity) Update(u *smarthome.LockCodeUpdate, loc *time.Location) {
	var r smarthome.LockCodeRequest
	v.Request(&r, loc)
	u.ValidityType = &r.ValidityType
	u.FromDate, u.ToDate, u.ScheduleDetailsInfo = nil, nil, r.ScheduleDetailsInfo
	if r.FromDate != "" {
		u.FromDate, u.ToDate = &r.FromDate, &r.ToDate
	}
}

// clock parses a time of day that the form or the upstream already validated; a bad one reads as midnight.
func clock(s string) smarthome.TimeOfDay {
	t, _ := smarthome.ParseTimeOfDay(s)
	return t
}

// Ended reports whether a period's window is over at now; the other types never end.
func (v Validity) Ended(now time.Time) bool {
	return v.Kind == smarthome.ValiditySpecificPeriod && !v.End.After(now)
}

// Overlap reports whether two validities open a lock at some common minute, on a lock in zone loc. Recurring
// windows are compared on the lock's wall clock; a period is walked minute by minute in loc, so the repeated and
// skipped hours of daylight-saving changes count exactly as the lock lives them.
func Overlap(a, b Validity, loc *time.Location) bool {
	const period = smarthome.ValiditySpecificPeriod
	switch {
	case a.Kind == smarthome.ValidityNeverExpires || b.Kind == smarthome.ValidityNeverExpires:
		return true
	case a.Kind == period && b.Kind == period:
		return a.Start.Before(b.End) && b.Start.Before(a.End)
	case a.Kind == period:
		return periodMeets(a.Start, a.End, b.Windows, loc)
	case b.Kind == period:
		return periodMeets(b.Start, b.End, a.Windows, loc)
	}
	for _, x := range a.Windows {
		for _, y := range b.Windows {
			if x.From < y.To && y.From < x.To && slices.ContainsFunc(x.Days, func(d time.Weekday) bool {
				return slices.Contains(y.Days, d)
			}) {
				return true
			}
		}
	}
	return false
}

func periodMeets(start, end time.Time, ws []Window, loc *time.Location) bool {
	if len(ws) == 0 {
		return false
	}
	if end.Sub(start) > overlapHorizon {
		return true
	}
	for t := start.Truncate(time.Minute); t.Before(end); t = t.Add(time.Minute) {
		l := t.In(loc)
		hm, wd := l.Format("15:04"), l.Weekday()
		for _, w := range ws {
			if hm >= w.From && hm < w.To && slices.Contains(w.Days, wd) {
				return true
			}
		}
	}
	return false
}

// Summary describes the validity for people, with times in loc (the property's zone).
func (v Validity) Summary(loc *time.Location) string {
	switch v.Kind {
	case smarthome.ValiditySpecificPeriod:
		return v.Start.In(loc).Format(tz.Layout) + " – " + v.End.In(loc).Format(tz.Layout)
	case smarthome.ValidityDayOfWeek, smarthome.ValidityDailyRepeating:
		parts := make([]string, 0, len(v.Windows))
		for _, w := range v.Windows {
			parts = append(parts, dayList(w.Days)+" "+w.From+"–"+w.To)
		}
		return strings.Join(parts, "; ")
	}
	return "Never expires"
}

func dayList(days []time.Weekday) string {
	ds := slices.Clone(days)
	slices.Sort(ds)
	if len(ds) == 7 {
		return "Every day"
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.String()[:3]
	}
	return strings.Join(names, ", ")
}
