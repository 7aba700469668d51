package smarthome

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Ptr returns a pointer to v. Request structs use pointer fields so that a partial update sends only what the
// caller set, and a literal such as smarthome.Ptr(68) is the shortest way to fill one.
func Ptr[T any](v T) *T { return &v }

// FlexString is a string the wire sends either as a JSON string or as a bare number (serial_no is "30011" in
// webhooks and 30011 in the hub list). A number keeps its literal digits; null decodes to "".
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("smarthome: empty value for string")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	case string(b) == "null":
		*f = ""
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("smarthome: bad number for string: %w", err)
		}
		*f = FlexString(n)
	default:
		return fmt.Errorf("smarthome: want a string or a number, got %.20s", b)
	}
	return nil
}

// String returns the value as text.
func (f FlexString) String() string { return string(f) }

// FlexInt is an integer the wire sends either as a JSON number or as a string of digits ("auto_lock_timer": "60").
// null and "" decode to 0; a fraction is an error rather than a silent truncation.
type FlexInt int64

// UnmarshalJSON accepts an integer, a string holding an integer, or null.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	if s == "null" || s == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("smarthome: want an integer, got %.20q", s)
	}
	*f = FlexInt(n)
	return nil
}

// Int returns the value as an int.
func (f FlexInt) Int() int { return int(f) }

// PIN is a lock code or one-off unlock code. It marshals to JSON as the plain string the API expects, but prints
// as asterisks through fmt and log/slog, so a PIN that reaches a log line by accident is not disclosed.
// Use Reveal (or string(pin)) where the digits are really needed.
type PIN string

// String masks the PIN.
func (p PIN) String() string {
	if p == "" {
		return ""
	}
	return "****"
}

// GoString masks the PIN for %#v too.
func (p PIN) GoString() string { return `smarthome.PIN("****")` }

// LogValue masks the PIN in log/slog output.
func (p PIN) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Reveal returns the digits.
func (p PIN) Reveal() string { return string(p) }

// validPIN reports whether p is 4 to 8 ASCII digits, the range the lock-code routes accept.
func validPIN(p PIN) bool {
	if len(p) < 4 || len(p) > 8 {
		return false
	}
	return allDigits(string(p))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
