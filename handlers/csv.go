package handlers

import (
	"encoding/csv"
	"io"
)

// csvWriter is the only way the dashboard writes CSV: every cell of every record goes through csvCell, so a
// column added to an export later cannot skip the formula escaping (a test keeps encoding/csv out of other files).
type csvWriter struct {
	w     *csv.Writer
	cells []string // reused between records: exports write a million of them
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

// Write escapes every cell of rec and writes it as one record; rec itself is left as it was.
func (c *csvWriter) Write(rec []string) error {
	c.cells = c.cells[:0]
	for _, s := range rec {
		c.cells = append(c.cells, csvCell(s))
	}
	return c.w.Write(c.cells)
}

// Flush writes any buffered data to the underlying writer.
func (c *csvWriter) Flush() { c.w.Flush() }

// Error reports an error from a previous Write or Flush.
func (c *csvWriter) Error() error { return c.w.Error() }

// csvCell defuses spreadsheet formulas (OWASP, CSV injection): a cell starting with = + - @, a tab or a carriage
// return is prefixed with an apostrophe, so spreadsheets read it as text. A plain decimal number ("-5", "+1.5e3")
// is left alone: spreadsheets read it as the same number either way, and it can call nothing. Every other cell is
// returned byte-identical.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isDecimal(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// isDecimal reports whether s is a signed decimal number with an optional fraction and exponent, and nothing
// else: no spaces, no hex, no Inf or NaN (strconv.ParseFloat accepts those, spreadsheets do not).
func isDecimal(s string) bool {
	i := 0
	sign := func() {
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	sign()
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		sign()
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
