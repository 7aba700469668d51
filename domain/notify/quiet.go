package notify

import "time"

// quietUntil returns t, or the end of the quiet period t falls in. Quiet hours run from start to end, both minutes
// after local midnight in loc; start > end spans midnight; start < 0 or start == end means none. Wall times are
// resolved by time.Date, so on the night clocks change a quiet period is as long as the wall clock says.
func quietUntil(t time.Time, loc *time.Location, start, end int) time.Time {
	if start < 0 || end < 0 || start == end {
		return t
	}
	local := t.In(loc)
	y, m, d := local.Date()
	at := func(day, minutes int) time.Time {
		return time.Date(y, m, d+day, minutes/60, minutes%60, 0, 0, loc)
	}
	// The period that began yesterday may still run (across midnight); the one beginning today may have begun.
	for _, day := range []int{-1, 0} {
		from := at(day, start)
		to := at(day, end)
		if end < start {
			to = at(day+1, end)
		}
		if !t.Before(from) && t.Before(to) {
			return to.UTC()
		}
	}
	return t
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// formatClock writes minutes after midnight as "HH:MM"; a negative value (none) as "".
func formatClock(m int) string {
	if m < 0 {
		return ""
	}
	return time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")
}
