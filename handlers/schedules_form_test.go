package handlers

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/views"
)

// blockFormRow builds an editor row: days as "135" (Monday, Wednesday, Friday), then from, to, mode, heat, cool, power.
func blockFormRow(days, from, to, mode, heat, cool, power string) views.ScheduleBlockFormData {
	r := views.ScheduleBlockFormData{From: from, To: to, Mode: mode, Heat: heat, Cool: cool, Power: power}
	for _, c := range days {
		r.Days[c-'0'] = true
	}
	return r
}

func TestValidateSchedule(t *testing.T) {
	t.Parallel()
	ok := blockFormRow("12345", "07:00", "22:00", "heat", "68", "", "")
	tests := []struct {
		name      string
		typ       string
		schedName string
		rows      []views.ScheduleBlockFormData
		want      string // a substring of one problem; "" = valid
		blocks    int
	}{
		{"valid thermostat", "thermostat", "Winter", []views.ScheduleBlockFormData{ok, blockFormRow("06", "08:00", "23:59", "auto", "66", "75", "")}, "", 2},
		{"blank rows are ignored", "thermostat", "Winter", []views.ScheduleBlockFormData{{Mode: "heat"}, ok, {Mode: "cool"}}, "", 1},
		{"off ignores setpoints", "thermostat", "Away", []views.ScheduleBlockFormData{blockFormRow("0", "00:00", "23:59", "off", "99", "", "")}, "", 1},
		{"valid switch", "switch", "Porch", []views.ScheduleBlockFormData{blockFormRow("0123456", "18:00", "23:00", "on", "", "", "")}, "", 1},
		{"valid dimmer", "dimmable_switch", "Hall", []views.ScheduleBlockFormData{blockFormRow("0123456", "18:00", "23:00", "on", "", "", "40")}, "", 1},
		{"adjacent blocks do not overlap", "switch", "Porch", []views.ScheduleBlockFormData{blockFormRow("1", "06:00", "08:00", "on", "", "", ""), blockFormRow("1", "08:00", "09:00", "off", "", "", "")}, "", 2},
		{"no name", "thermostat", "", []views.ScheduleBlockFormData{ok}, "Name is required", 0},
		{"markup in name", "thermostat", `<script>alert(1)</script>`, []views.ScheduleBlockFormData{ok}, "must not contain < or >", 0},
		{"name too long", "thermostat", strings.Repeat("n", 101), []views.ScheduleBlockFormData{ok}, "at most 100 characters", 0},
		{"control character in name", "thermostat", "a\nb", []views.ScheduleBlockFormData{ok}, "single line", 0},
		{"no blocks", "thermostat", "Empty", []views.ScheduleBlockFormData{{Mode: "heat"}}, "at least one block", 0},
		{"no days", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("", "07:00", "08:00", "heat", "68", "", "")}, "Block 1: choose at least one day", 0},
		{"hour 24", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "24:00", "heat", "68", "", "")}, "HH:MM", 0},
		{"am/pm time", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "7am", "08:00", "heat", "68", "", "")}, "HH:MM", 0},
		{"oversized time", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", strings.Repeat("0", 5000), "08:00", "heat", "68", "", "")}, "HH:MM", 0},
		{"start after end", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "22:00", "07:00", "heat", "68", "", "")}, "start time must be before", 0},
		{"empty span", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "07:00", "heat", "68", "", "")}, "start time must be before", 0},
		{"overlap", "thermostat", "W", []views.ScheduleBlockFormData{ok, blockFormRow("3", "21:00", "23:00", "cool", "", "76", "")}, "Blocks 1 and 2 overlap on Wednesday", 0},
		{"setpoint too low", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "heat", "49", "", "")}, "from 50 to 90", 0},
		{"setpoint too high", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "cool", "", "91", "")}, "from 50 to 90", 0},
		{"setpoint not a number", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "heat", "68.5", "", "")}, "whole number", 0},
		{"heating too close to cooling", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "auto", "72", "74", "")}, "at least 3 °F below", 0},
		{"heat without setpoint", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "heat", "", "", "")}, "Heat mode needs a heating setpoint", 0},
		{"auto without cooling", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "auto", "66", "", "")}, "Auto mode needs a cooling setpoint", 0},
		{"unknown thermostat mode", "thermostat", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "boost", "68", "", "")}, "heat, cool, auto or off", 0},
		{"switch mode", "switch", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "dim", "", "", "")}, "on or off", 0},
		{"dimmer level", "dimmable_switch", "W", []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "08:00", "on", "", "", "101")}, "0 to 100", 0},
		{"too many blocks", "switch", "W", func() []views.ScheduleBlockFormData {
			var rs []views.ScheduleBlockFormData
			for i := range maxScheduleBlocks + 1 {
				rs = append(rs, blockFormRow("1", time.Date(0, 1, 1, 0, i*2, 0, 0, time.UTC).Format("15:04"), time.Date(0, 1, 1, 0, i*2+1, 0, 0, time.UTC).Format("15:04"), "on", "", "", ""))
			}
			return rs
		}(), "at most 24 blocks", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blocks, problems := validateSchedule(tt.schedName, tt.rows, tt.typ)
			if tt.want == "" {
				if len(problems) > 0 || len(blocks) != tt.blocks {
					t.Fatalf("problems %q, %d blocks; want none and %d blocks", problems, len(blocks), tt.blocks)
				}
				return
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Fatalf("problems %q, want one containing %q", problems, tt.want)
			}
		})
	}
}

func TestValidateScheduleMarksRows(t *testing.T) {
	t.Parallel()
	rows := []views.ScheduleBlockFormData{blockFormRow("1", "07:00", "09:00", "on", "", "", ""), blockFormRow("2", "07:00", "08:00", "on", "", "", ""),
		blockFormRow("1", "08:00", "10:00", "off", "", "", "")}
	_, problems := validateSchedule("Porch", rows, "switch")
	if len(problems) != 1 || !rows[0].Invalid || rows[1].Invalid || !rows[2].Invalid {
		t.Fatalf("problems %q; invalid rows %v %v %v, want the overlapping 1 and 3", problems, rows[0].Invalid, rows[1].Invalid, rows[2].Invalid)
	}
}

func TestReadScheduleRows(t *testing.T) {
	t.Parallel()
	form := url.Values{"name": {" Winter "}, "rows": {"2"}, "days-0": {"1", "3", "9", "x"}, "from-0": {"07:00"},
		"to-0": {"22:00"}, "mode-0": {"heat"}, "heat-0": {"68"}, "days-1": {"0"}}
	name, rows := readScheduleRows(form)
	if name != "Winter" || len(rows) != 2 {
		t.Fatalf("name %q, %d rows", name, len(rows))
	}
	if want := [7]bool{false, true, false, true}; rows[0].Days != want || rows[0].Heat != "68" {
		t.Errorf("row 0 = %+v (days outside 0..6 and non-numbers are dropped)", rows[0])
	}
	// A forged row count is bounded: one row over the limit, so the limit error has a row to point at.
	_, rows = readScheduleRows(url.Values{"rows": {"1000000"}})
	if len(rows) != maxScheduleBlocks+1 {
		t.Errorf("rows=1000000 gave %d rows, want %d", len(rows), maxScheduleBlocks+1)
	}
	tests := []struct {
		op   string
		want int
	}{{"add", 3}, {"remove-1", 1}, {"remove-7", 2}, {"remove-x", 2}, {"other", 2}}
	for _, tt := range tests {
		got := applyBlockRowOp([]views.ScheduleBlockFormData{{From: "a"}, {From: "b"}}, tt.op, "switch")
		if len(got) != tt.want {
			t.Errorf("op %q: %d rows, want %d", tt.op, len(got), tt.want)
		}
	}
	if got := applyBlockRowOp([]views.ScheduleBlockFormData{{From: "a"}}, "remove-0", "switch"); len(got) != 1 {
		t.Error("the last row was removed")
	}
}

func TestScheduleDaysLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		days []int
		want string
	}{
		{[]int{0, 1, 2, 3, 4, 5, 6}, "Every day"},
		{[]int{5, 4, 3, 2, 1}, "Weekdays"},
		{[]int{6, 0}, "Weekends"},
		{[]int{1, 2, 3, 5}, "Mon–Wed, Fri"},
		{[]int{1, 2}, "Mon, Tue"},
		{[]int{0, 1, 2, 3}, "Sun–Wed"},
		{[]int{4}, "Thu"},
	}
	for _, tt := range tests {
		if got := scheduleDaysLabel(tt.days); got != tt.want {
			t.Errorf("scheduleDaysLabel(%v) = %q, want %q", tt.days, got, tt.want)
		}
	}
}

// TestNextBlockStartAcrossDST: block times are wall-clock times of the hub's zone, so "Sunday 07:00" is 13:00 UTC
// before the March change and 12:00 UTC after it, and a 02:30 start on the day 02:30 does not exist is read with
// the offset from before the gap (RFC 5545): 03:30 CDT.
func TestNextBlockStartAcrossDST(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	heat := func(days []int, from, to string) db.ScheduleBlock {
		h := 68
		return db.ScheduleBlock{Days: days, From: from, To: to, Mode: "heat", HeatingSetpoint: &h}
	}
	tests := []struct {
		name   string
		blocks []db.ScheduleBlock
		now    time.Time
		want   time.Time
	}{
		{"spring forward: next Sunday 07:00 CDT", []db.ScheduleBlock{heat([]int{0}, "07:00", "09:00")},
			time.Date(2026, 3, 7, 18, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)},
		{"before the change the same block is 13:00 UTC", []db.ScheduleBlock{heat([]int{0}, "07:00", "09:00")},
			time.Date(2026, 2, 28, 18, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)},
		{"a start in the spring gap is shifted past it", []db.ScheduleBlock{heat([]int{0}, "02:30", "04:00")},
			time.Date(2026, 3, 7, 18, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 8, 30, 0, 0, time.UTC)},
		{"fall back: Sunday 07:00 CST", []db.ScheduleBlock{heat([]int{0}, "07:00", "09:00")},
			time.Date(2026, 10, 31, 18, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC)},
		{"later today beats tomorrow", []db.ScheduleBlock{heat([]int{2}, "06:00", "07:00"), heat([]int{1}, "20:00", "21:00")},
			time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 2, 0, 0, 0, time.UTC)},
		{"a block already started today is next week", []db.ScheduleBlock{heat([]int{1}, "07:00", "22:00")},
			time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC), time.Date(2026, 1, 12, 13, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got, ok := nextBlockStart(tt.blocks, chicago, tt.now)
			if !ok || !got.Equal(tt.want) {
				t.Fatalf("next start %v (found %v), want %v (%v local)", got, ok, tt.want, tt.want.In(chicago))
			}
		})
	}
	if _, _, ok := nextBlockStart(nil, chicago, time.Now()); ok {
		t.Error("no blocks found a start")
	}
	now := time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC) // Monday 12:00 CST
	if got, want := blockNow([]db.ScheduleBlock{heat([]int{1}, "07:00", "22:00")}, "thermostat", chicago, now), "Heat to 68 °F until 10:00 PM"; got != want {
		t.Errorf("blockNow = %q, want %q", got, want)
	}
	if got := blockNow([]db.ScheduleBlock{heat([]int{2}, "07:00", "22:00")}, "thermostat", chicago, now); got != "" {
		t.Errorf("blockNow on another day = %q, want none", got)
	}
}

func TestCheckEditTimeZone(t *testing.T) {
	t.Parallel()
	for _, tz := range []string{"America/Chicago", "Europe/Paris", "UTC", "America/Indiana/Indianapolis", "Etc/GMT+5"} {
		if p := checkEditTimeZone(tz); p != "" {
			t.Errorf("%q refused: %s", tz, p)
		}
	}
	for _, tz := range []string{"", "Local", "CST", "EST", "Mars/Olympus", "America/Chicagoo", "../etc/passwd",
		"/usr/share/zoneinfo/UTC", "America/<b>", strings.Repeat("A/", 40)} {
		if p := checkEditTimeZone(tz); p == "" {
			t.Errorf("%q accepted", tz)
		}
	}
}
