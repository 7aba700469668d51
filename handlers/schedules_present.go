package handlers

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// This file turns schedule blocks into words and finds the block in force and the next change. Block times are
// wall-clock times of the hub's zone, so "07:00 every Monday" stays 07:00 local across daylight-saving changes;
// the instants computed from them are real (UTC) times, shown in that zone.

const scheduleNextLayout = "Mon Jan 2, 3:04 PM MST"

var scheduleShortDays = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// scheduleDaysLabel names a set of days compactly: "Every day", "Weekdays", "Weekends", "Mon–Wed, Fri".
func scheduleDaysLabel(days []int) string {
	var set [7]bool
	for _, d := range days {
		if d >= 0 && d <= 6 {
			set[d] = true
		}
	}
	switch set {
	case [7]bool{true, true, true, true, true, true, true}:
		return "Every day"
	case [7]bool{false, true, true, true, true, true, false}:
		return "Weekdays"
	case [7]bool{true, false, false, false, false, false, true}:
		return "Weekends"
	}
	var parts []string
	for d := 0; d < 7; d++ {
		if !set[d] {
			continue
		}
		end := d
		for end+1 < 7 && set[end+1] {
			end++
		}
		switch {
		case end-d >= 2:
			parts = append(parts, scheduleShortDays[d]+"–"+scheduleShortDays[end])
		case end == d+1:
			parts = append(parts, scheduleShortDays[d], scheduleShortDays[end])
		default:
			parts = append(parts, scheduleShortDays[d])
		}
		d = end
	}
	return strings.Join(parts, ", ")
}

// blockValuesLabel says what a block makes the device do.
func blockValuesLabel(b db.ScheduleBlock, deviceType string) string {
	deg := func(p *int) string {
		if p == nil {
			return "?"
		}
		return strconv.Itoa(*p)
	}
	switch {
	case deviceType == "thermostat" && b.Mode == "heat":
		return "Heat to " + deg(b.HeatingSetpoint) + " °F"
	case deviceType == "thermostat" && b.Mode == "cool":
		return "Cool to " + deg(b.CoolingSetpoint) + " °F"
	case deviceType == "thermostat" && b.Mode == "auto":
		return "Auto, " + deg(b.HeatingSetpoint) + "–" + deg(b.CoolingSetpoint) + " °F"
	case b.Mode == "on" && b.Power != nil:
		return "On at " + strconv.Itoa(*b.Power) + "%"
	case b.Mode == "on":
		return "On"
	case b.Mode == "off":
		return "Off"
	}
	return b.Mode
}

// blockSummary is one line per block: "Weekdays 07:00–22:00 · Heat to 68 °F".
func blockSummary(b db.ScheduleBlock, deviceType string) string {
	return scheduleDaysLabel(b.Days) + " " + b.From + "–" + b.To + " · " + blockValuesLabel(b, deviceType)
}

// blockMinutes reads "HH:MM" as minutes after midnight; ok is false for anything else.
func blockMinutes(hhmm string) (int, bool) {
	t, err := smarthome.ParseTimeOfDay(hhmm)
	if err != nil {
		return 0, false
	}
	return t.Hour*60 + t.Minute, true
}

// blockNow describes the block in force at now in loc ("Heat to 68 °F until 10:00 PM"), or "".
func blockNow(blocks []db.ScheduleBlock, deviceType string, loc *time.Location, now time.Time) string {
	local := now.In(loc)
	mins := local.Hour()*60 + local.Minute()
	for _, b := range blocks {
		from, ok1 := blockMinutes(b.From)
		to, ok2 := blockMinutes(b.To)
		if ok1 && ok2 && slices.Contains(b.Days, int(local.Weekday())) && from <= mins && mins < to {
			end := time.Date(2000, 1, 1, to/60, to%60, 0, 0, time.UTC)
			return blockValuesLabel(b, deviceType) + " until " + end.Format("3:04 PM")
		}
	}
	return ""
}

// nextBlockStart finds the first block start after now: each block's From on each of its days, in loc. It looks
// at most eight days ahead, which covers every weekly block.
func nextBlockStart(blocks []db.ScheduleBlock, loc *time.Location, now time.Time) (db.ScheduleBlock, time.Time, bool) {
	local := now.In(loc)
	var best db.ScheduleBlock
	var bestAt time.Time
	found := false
	for offset := range 8 {
		day := time.Date(local.Year(), local.Month(), local.Day()+offset, 12, 0, 0, 0, loc) // noon: never in a DST gap
		for _, b := range blocks {
			from, ok := blockMinutes(b.From)
			if !ok || !slices.Contains(b.Days, int(day.Weekday())) {
				continue
			}
			at := wallClock(day, from, loc)
			if at.After(now) && (!found || at.Before(bestAt)) {
				best, bestAt, found = b, at, true
			}
		}
		if found {
			return best, bestAt.UTC(), true
		}
	}
	return best, bestAt, found
}

// wallClock is minutes after midnight on day's date in loc. A time that does not exist (the spring-forward gap)
// is read with the offset from before the gap, as RFC 5545 does: 02:30 on the day clocks jump from 02:00 to 03:00
// is 03:30. (time.Date would pick 01:30, before the jump.)
func wallClock(day time.Time, minutes int, loc *time.Location) time.Time {
	h, m := minutes/60, minutes%60
	at := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	if at.Hour() == h && at.Minute() == m {
		return at
	}
	_, before := at.Add(-3 * time.Hour).Zone()
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, time.UTC).Add(-time.Duration(before) * time.Second).In(loc)
}

// scheduleRow maps a mirrored schedule to its row in the device's list.
func scheduleRow(sc db.Schedule, activeID string, show *time.Location) views.ScheduleRowData {
	row := views.ScheduleRowData{ID: sc.ID, Name: sc.Name, Active: sc.ID == activeID, Scope: "This property"}
	if sc.PropertyID == nil {
		row.Scope = "Every property"
	}
	for _, b := range sc.Blocks {
		row.Blocks = append(row.Blocks, blockSummary(b, sc.DeviceType))
	}
	row.Updated, row.UpdatedISO = localTimes(&sc.UpdatedAt, show)
	return row
}

// mirrorSchedule maps an upstream schedule to its mirror row; property 0 means none.
func mirrorSchedule(sc smarthome.Schedule) db.Schedule {
	out := db.Schedule{ID: sc.ID, Name: sc.Name, DeviceType: sc.DeviceType, CreatedAt: sc.CreatedAt.UTC(),
		UpdatedAt: sc.UpdatedAt.UTC()}
	if sc.PropertyID != 0 {
		id := sc.PropertyID
		out.PropertyID = &id
	}
	for _, b := range sc.Blocks {
		out.Blocks = append(out.Blocks, db.ScheduleBlock{Days: slices.Clone(b.Days), From: b.From, To: b.To, Mode: b.Mode,
			HeatingSetpoint: b.HeatingSetpoint, CoolingSetpoint: b.CoolingSetpoint, Power: b.Power})
	}
	return out
}

// scheduleFormRows turns a mirrored schedule into editor rows.
func scheduleFormRows(blocks []db.ScheduleBlock) []views.ScheduleBlockFormData {
	itoaPtr := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	rows := make([]views.ScheduleBlockFormData, 0, len(blocks))
	for _, b := range blocks {
		r := views.ScheduleBlockFormData{From: b.From, To: b.To, Mode: b.Mode, Heat: itoaPtr(b.HeatingSetpoint),
			Cool: itoaPtr(b.CoolingSetpoint), Power: itoaPtr(b.Power)}
		for _, d := range b.Days {
			if d >= 0 && d <= 6 {
				r.Days[d] = true
			}
		}
		rows = append(rows, r)
	}
	return rows
}
