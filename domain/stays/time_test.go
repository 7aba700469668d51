package stays

import (
	"errors"
	"testing"
	"time"
)

func TestParseLocalDateTime(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	lordHowe, err := time.LoadLocation("Australia/Lord_Howe") // half-hour DST shift
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want string // RFC 3339 UTC; empty when an error is expected
		err  error
	}{
		{"winter", "2027-01-15T09:30", ny, "2027-01-15T14:30:00Z", nil},
		{"summer", "2027-07-15T09:30", ny, "2027-07-15T13:30:00Z", nil},
		{"with seconds", "2027-07-15T09:30:00", ny, "2027-07-15T13:30:00Z", nil},
		{"just before spring forward", "2027-03-14T01:59", ny, "2027-03-14T06:59:00Z", nil},
		{"in the spring gap", "2027-03-14T02:30", ny, "", ErrTimeGap},
		{"just after spring forward", "2027-03-14T03:00", ny, "2027-03-14T07:00:00Z", nil},
		{"fall back: the first 1:30 (EDT)", "2027-11-07T01:30", ny, "2027-11-07T05:30:00Z", nil},
		{"after fall back", "2027-11-07T02:30", ny, "2027-11-07T07:30:00Z", nil},
		{"half-hour gap", "2027-10-03T02:15", lordHowe, "", ErrTimeGap},
		{"UTC", "2027-03-14T02:30", time.UTC, "2027-03-14T02:30:00Z", nil},
		{"garbage", "next tuesday", ny, "", ErrTimeFormat},
		{"empty", "", ny, "", ErrTimeFormat},
		{"no minutes", "2027-03-14T02", ny, "", ErrTimeFormat},
		{"year out of range", "1999-01-01T00:00", ny, "", ErrTimeFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLocalDateTime(tt.in, tt.loc)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				return
			}
			if s := got.Format(time.RFC3339); s != tt.want || got.Location() != time.UTC {
				t.Errorf("got %s (%v), want %s", s, got.Location(), tt.want)
			}
			if back := DateTimeInputValue(got, tt.loc); back != tt.in[:16] {
				t.Errorf("shown back as %q, want %q", back, tt.in[:16])
			}
		})
	}
}

func TestLocalDays(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		date       string
		start, end string
		hours      float64
	}{
		{"2027-03-14", "2027-03-14T05:00:00Z", "2027-03-15T04:00:00Z", 23},
		{"2027-11-07", "2027-11-07T04:00:00Z", "2027-11-08T05:00:00Z", 25},
		{"2027-06-01", "2027-06-01T04:00:00Z", "2027-06-02T04:00:00Z", 24},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			t.Parallel()
			s, err1 := DayStart(tt.date, ny)
			e, err2 := DayEnd(tt.date, ny)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if s.Format(time.RFC3339) != tt.start || e.Format(time.RFC3339) != tt.end || e.Sub(s).Hours() != tt.hours {
				t.Errorf("%s – %s (%v h)", s.Format(time.RFC3339), e.Format(time.RFC3339), e.Sub(s).Hours())
			}
		})
	}
	if _, err := DayStart("03/14/2027", ny); err == nil {
		t.Error("a US-style date was accepted")
	}
}
