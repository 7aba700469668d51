package handlers

import (
	"errors"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
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
		{"in the spring gap", "2027-03-14T02:30", ny, "", errLocalTimeGap},
		{"just after spring forward", "2027-03-14T03:00", ny, "2027-03-14T07:00:00Z", nil},
		{"fall back: the first 1:30 (EDT)", "2027-11-07T01:30", ny, "2027-11-07T05:30:00Z", nil},
		{"after fall back", "2027-11-07T02:30", ny, "2027-11-07T07:30:00Z", nil},
		{"half-hour gap", "2027-10-03T02:15", lordHowe, "", errLocalTimeGap},
		{"UTC", "2027-03-14T02:30", time.UTC, "2027-03-14T02:30:00Z", nil},
		{"garbage", "next tuesday", ny, "", errLocalTimeFormat},
		{"empty", "", ny, "", errLocalTimeFormat},
		{"no minutes", "2027-03-14T02", ny, "", errLocalTimeFormat},
		{"year out of range", "1999-01-01T00:00", ny, "", errLocalTimeFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseLocalDateTime(tt.in, tt.loc)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				return
			}
			if s := got.Format(time.RFC3339); s != tt.want || got.Location() != time.UTC {
				t.Errorf("got %s (%v), want %s", s, got.Location(), tt.want)
			}
			if back := dateTimeInputValue(got, tt.loc); back != tt.in[:16] {
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
			s, err1 := localDayStart(tt.date, ny)
			e, err2 := localDayEnd(tt.date, ny)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if s.Format(time.RFC3339) != tt.start || e.Format(time.RFC3339) != tt.end || e.Sub(s).Hours() != tt.hours {
				t.Errorf("%s – %s (%v h)", s.Format(time.RFC3339), e.Format(time.RFC3339), e.Sub(s).Hours())
			}
		})
	}
	if _, err := localDayStart("03/14/2027", ny); err == nil {
		t.Error("a US-style date was accepted")
	}
}

func TestGuestLinkStatus(t *testing.T) {
	t.Parallel()
	start := time.Date(2027, 3, 14, 5, 0, 0, 0, time.UTC)
	revoked := start
	active := db.InvitationActive
	tests := []struct {
		name string
		now  time.Time
		rev  *time.Time
		inv  string
		want string
	}{
		{"before", start.Add(-time.Minute), nil, active, "Scheduled"},
		{"at the start", start, nil, active, "Active"},
		{"last minute", start.Add(2*time.Hour - time.Nanosecond), nil, active, "Active"},
		{"at the end", start.Add(2 * time.Hour), nil, active, "Expired"},
		{"revoked", start.Add(time.Minute), &revoked, active, "Revoked"},
		{"invitation removed", start.Add(time.Minute), nil, db.InvitationRemoved, "Revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := db.GuestLink{StartsAt: start, EndsAt: start.Add(2 * time.Hour), RevokedAt: tt.rev}
			if got, _ := guestLinkStatus(l, db.Invitation{Status: tt.inv}, tt.now); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
