package handlers

import (
	"strings"
	"testing"
	"time"
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

func TestLCParseLocal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string // RFC 3339 UTC, or "" for an error
		problem  string
	}{
		{"winter time", "2026-12-07T10:00", "2026-12-07T15:00:00Z", ""},
		{"with seconds", "2026-12-07T10:00:00", "2026-12-07T15:00:00Z", ""},
		{"after the spring skip", "2027-03-14T03:30", "2027-03-14T07:30:00Z", ""},
		{"inside the spring skip", "2027-03-14T02:30", "", "does not exist in America/New_York"},
		{"empty", "", "", "enter a date"},
		{"not a date", "next tuesday", "", "not a date"},
		{"too long", "2026-12-07T10:00:00.000000", "", "not a date"},
		{"year out of range", "1999-12-07T10:00", "", "between 2000 and 2100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problem := lcParseLocal("Start", tt.in, newYork)
			if tt.problem != "" {
				if !strings.Contains(problem, tt.problem) {
					t.Errorf("problem %q, want it to mention %q", problem, tt.problem)
				}
				return
			}
			if problem != "" || !got.Equal(utc(tt.want)) {
				t.Errorf("got %v %q, want %s", got.UTC(), problem, tt.want)
			}
		})
	}
	// The repeated hour is accepted, as one of its two instants.
	got, problem := lcParseLocal("Start", "2026-11-01T01:30", newYork)
	if problem != "" || (!got.Equal(utc("2026-11-01T05:30:00Z")) && !got.Equal(utc("2026-11-01T06:30:00Z"))) {
		t.Errorf("repeated hour: %v %q", got.UTC(), problem)
	}
}

func TestLCFieldRules(t *testing.T) {
	t.Parallel()
	pins := []struct {
		pin string
		ok  bool
	}{
		{"482913", true}, {"2580", true}, {"13572468", true},
		{"123", false}, {"123456789", false}, {"12a4", false}, {" 4829", false}, {"", false},
		{"1111", false}, {"1234", false}, {"98765", false}, {"00000000", false},
	}
	for _, p := range pins {
		if got := lcPINProblem(p.pin) == ""; got != p.ok {
			t.Errorf("PIN %q accepted=%v, want %v", p.pin, got, p.ok)
		}
	}
	texts := []struct {
		in, want string
	}{
		{"Jane Doe", ""},
		{"Zoë Ørsted-Łukasz", ""},
		{"", "Enter a name"},
		{"<script>alert(1)</script>", "cannot contain < or >"},
		{"Ann\nBob", "control characters"},
		{strings.Repeat("x", 65), "at most 64"},
		{"bad \xff byte", "not text"},
	}
	for _, tt := range texts {
		if got := lcTextProblem("Name", tt.in, 64, true); (tt.want == "" && got != "") || !strings.Contains(got, tt.want) {
			t.Errorf("%q: problem %q, want %q", tt.in, got, tt.want)
		}
	}
}
