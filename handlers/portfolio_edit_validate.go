package handlers

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones validate and convert even where the system has no zoneinfo (distroless images)
	"unicode"
	"unicode/utf8"
)

// Limits of the portfolio forms, in characters.
const (
	maxPropertyName = 100
	maxStreet       = 200 // the upstream's limit for every address field
	maxCity         = 100
	maxState        = 50
	maxZipcode      = 20
	maxTimeZone     = 64
)

// checkEditText validates one free-text field and returns a message naming it, or "". Markup is refused rather than
// stored: no legitimate name or address needs angle brackets, and what is stored is always shown escaped anyway.
func checkEditText(label, v string, maxLen int, required bool) string {
	switch {
	case v == "" && required:
		return label + " is required."
	case !utf8.ValidString(v):
		return label + " contains characters that are not text."
	case utf8.RuneCountInString(v) > maxLen:
		return fmt.Sprintf("%s is too long: at most %d characters.", label, maxLen)
	case strings.ContainsAny(v, "<>"):
		return label + " must not contain < or > (HTML and scripts are not allowed)."
	case strings.ContainsFunc(v, unicode.IsControl):
		return label + " must be a single line of text."
	}
	return ""
}

// checkEditZipcode allows letters, digits, spaces and hyphens (US ZIP+4, Canadian and UK postcodes).
func checkEditZipcode(v string, required bool) string {
	if p := checkEditText("ZIP code", v, maxZipcode, required); p != "" {
		return p
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == ' ' || r == '-') {
			return "ZIP code may hold only letters, digits, spaces and hyphens."
		}
	}
	return ""
}

// checkEditTimeZone accepts an IANA zone name such as America/Chicago (or UTC). "Local" and abbreviations like "CST"
// are refused: the first means the server's zone, the second is ambiguous and ignores daylight saving.
func checkEditTimeZone(v string) string {
	const msg = "Time zone must be an IANA time zone name, such as America/Chicago."
	if v == "" {
		return "Time zone is required."
	}
	if len(v) > maxTimeZone || v == "Local" {
		return msg
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return msg
		}
	}
	if !strings.Contains(v, "/") && v != "UTC" {
		return msg
	}
	if _, err := time.LoadLocation(v); err != nil {
		return msg
	}
	return ""
}

// editTimeZones are the suggestions of the time-zone inputs (a datalist: any valid IANA name is accepted).
var editTimeZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Detroit", "America/Indiana/Indianapolis", "America/Boise",
	"America/Puerto_Rico", "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
	"America/Halifax", "America/Mexico_City", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Europe/Paris",
	"Europe/Madrid", "Australia/Sydney", "UTC",
}
