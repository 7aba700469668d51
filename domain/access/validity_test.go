package access

import (
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func period(from, to string) Validity {
	return Validity{Kind: smarthome.ValiditySpecificPeriod, Start: utc(from), End: utc(to)}
}

func weekly(day time.Weekday, from, to string) Validity {
	return Validity{Kind: smarthome.ValidityDayOfWeek, Windows: []Window{{Days: []time.Weekday{day}, From: from, To: to}}}
}

func daily(from, to string, days ...time.Weekday) Validity {
	return Validity{Kind: smarthome.ValidityDailyRepeating, Windows: []Window{{Days: days, From: from, To: to}}}
}

// TestOverlap includes both US daylight-saving changes in New York: 2026-11-01, when 01:00–02:00 happens twice,
// and 2027-03-14, when 02:00–03:00 never happens.
func TestOverlap(t *testing.T) {
	t.Parallel()
	never := Validity{Kind: smarthome.ValidityNeverExpires}
	tests := []struct {
		name string
		a, b Validity
		want bool
	}{
		{"never meets any period", never, period("2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z"), true},
		{"never meets a window", weekly(time.Monday, "09:00", "10:00"), never, true},
		{"periods that overlap", period("2026-12-01T10:00:00Z", "2026-12-01T12:00:00Z"), period("2026-12-01T11:59:00Z", "2026-12-02T00:00:00Z"), true},
		{"periods that touch", period("2026-12-01T10:00:00Z", "2026-12-01T12:00:00Z"), period("2026-12-01T12:00:00Z", "2026-12-02T00:00:00Z"), false},
		{"windows sharing a day and hours", weekly(time.Monday, "09:00", "17:00"), daily("16:00", "18:00", time.Monday, time.Tuesday), true},
		{"windows on different days", weekly(time.Monday, "09:00", "17:00"), daily("09:00", "17:00", time.Tuesday), false},
		{"windows that touch", weekly(time.Monday, "09:00", "17:00"), daily("17:00", "18:00", time.Monday), false},
		// Monday 2026-12-07 10:00–11:00 EST is 15:00–16:00Z.
		{"period inside a weekly window", period("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z"), weekly(time.Monday, "09:00", "17:00"), true},
		{"period on another weekday", period("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z"), weekly(time.Tuesday, "09:00", "17:00"), false},
		{"period that reaches into the window", weekly(time.Monday, "10:59", "12:00"), period("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z"), true},
		{"long period meets every window", period("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"), weekly(time.Saturday, "02:00", "02:01"), true},
		// Fall back: 06:10–06:20Z is 01:10–01:20 EST, the second time 01:10 happens that night.
		{"repeated hour, second pass, inside the window", period("2026-11-01T06:10:00Z", "2026-11-01T06:20:00Z"), weekly(time.Sunday, "01:00", "01:30"), true},
		{"repeated hour, first pass, inside the window", period("2026-11-01T05:05:00Z", "2026-11-01T05:15:00Z"), weekly(time.Sunday, "01:00", "01:30"), true},
		{"repeated hour, outside the window", period("2026-11-01T06:10:00Z", "2026-11-01T06:20:00Z"), weekly(time.Sunday, "02:00", "03:00"), false},
		// Spring forward: 06:30–07:30Z is 01:30 EST to 03:30 EDT; 02:00–03:00 does not exist that night.
		{"skipped hour never happens", period("2027-03-14T06:30:00Z", "2027-03-14T07:30:00Z"), weekly(time.Sunday, "02:00", "03:00"), false},
		{"hour after the skip happens", period("2027-03-14T06:30:00Z", "2027-03-14T07:30:00Z"), daily("03:00", "04:00", time.Sunday), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Overlap(tt.a, tt.b, newYork); got != tt.want {
				t.Errorf("Overlap = %v, want %v", got, tt.want)
			}
			if got := Overlap(tt.b, tt.a, newYork); got != tt.want {
				t.Errorf("Overlap reversed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestValidityUpstreamRoundTrip: what goes upstream as wall-clock strings in the hub's zone comes back as the same
// instants, across a daylight-saving change; a repeated-hour time keeps the instant the mirror already has.
func TestValidityUpstreamRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []Validity{
		period("2027-03-14T03:00:00Z", "2027-03-14T14:00:00Z"), // 22:00 EST → 10:00 EDT: 11 hours
		period("2026-11-01T02:00:00Z", "2026-11-01T15:00:00Z"), // 22:00 EDT → 10:00 EST: 13 hours
		weekly(time.Wednesday, "08:30", "18:00"),
		daily("07:00", "09:00", time.Monday, time.Friday),
		{Kind: smarthome.ValidityNeverExpires},
	}
	for _, v := range tests {
		t.Run(v.Kind, func(t *testing.T) {
			t.Parallel()
			var req smarthome.LockCodeRequest
			req.Name, req.Code, req.DeviceID = "x", "482913", "d"
			v.Request(&req, newYork)
			if err := req.Validate(); err != nil {
				t.Fatalf("request does not validate: %v", err)
			}
			lc := &smarthome.LockCode{ID: "c", ValidityType: req.ValidityType, FromDate: req.FromDate, ToDate: req.ToDate,
				ScheduleDetailsInfo: req.ScheduleDetailsInfo}
			back, err := ValidityFromUpstream(lc, newYork, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Start.Equal(v.Start) || !back.End.Equal(v.End) || back.ScheduleJSON() != v.ScheduleJSON() {
				t.Errorf("round trip: %+v, want %+v", back, v)
			}
		})
	}
	t.Run("the spring period is 11 hours, written as local wall-clock times", func(t *testing.T) {
		var req smarthome.LockCodeRequest
		tests[0].Request(&req, newYork)
		if req.FromDate != "2027-03-13 22-00" || req.ToDate != "2027-03-14 10-00" {
			t.Errorf("from %q to %q", req.FromDate, req.ToDate)
		}
	})
	t.Run("the repeated hour keeps the stored instant", func(t *testing.T) {
		second := utc("2026-11-01T06:30:00Z") // 01:30 EST, the second 01:30 of the night
		end := second.Add(time.Hour)
		prev := &db.LockCode{StartsAt: &second, EndsAt: &end}
		lc := &smarthome.LockCode{ID: "c", ValidityType: smarthome.ValiditySpecificPeriod,
			FromDate: smarthome.FormatLockCodeTime(second, newYork), ToDate: smarthome.FormatLockCodeTime(end, newYork)}
		back, err := ValidityFromUpstream(lc, newYork, prev)
		if err != nil || !back.Start.Equal(second) || !back.End.Equal(end) {
			t.Errorf("got %v–%v (%v), want %v–%v", back.Start, back.End, err, second, end)
		}
	})
}

func TestSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    Validity
		want string
	}{
		{Validity{Kind: smarthome.ValidityNeverExpires}, "Never expires"},
		{period("2027-03-14T03:00:00Z", "2027-03-14T14:00:00Z"), "Mar 13, 2027 10:00 PM EST – Mar 14, 2027 10:00 AM EDT"},
		{daily("07:00", "09:00", time.Friday, time.Monday), "Mon, Fri 07:00–09:00"},
		{daily("07:00", "09:00", 0, 1, 2, 3, 4, 5, 6), "Every day 07:00–09:00"},
	}
	for _, tt := range tests {
		if got := tt.v.Summary(newYork); got != tt.want {
			t.Errorf("summary %q, want %q", got, tt.want)
		}
	}
}
