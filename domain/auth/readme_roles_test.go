package auth

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/keyless/dashboard/db"
)

// roles are every role; the README's table has one column for each.
var roles = db.Roles()

// TestREADMERoleTable checks the role table of docs/roles.md against roleCapabilities. The
// README words capabilities for people, so each of its rows is paired with the capability it shares the most words
// with (one row per capability, no row left over), and then the roles ticked must be the roles granted.
func TestREADMERoleTable(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../docs/roles.md")
	if err != nil {
		t.Fatalf("the role table lives in docs/roles.md: %v", err)
	}
	rows := findRoleTable(string(src))
	if rows == nil {
		t.Fatal("docs/roles.md has no capability × role table")
	}
	var caps []Capability
	for _, c := range []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller, db.RoleAuditor} {
		for _, cp := range roleCapabilities[c] {
			if !slices.Contains(caps, cp) {
				caps = append(caps, cp)
			}
		}
	}
	pairs := pairRows(caps, rows)
	for _, c := range caps {
		row, ok := pairs[c]
		if !ok {
			t.Errorf("capability %q has no row in the README's role table", c)
			continue
		}
		for _, r := range roles {
			granted, ticked := slices.Contains(roleCapabilities[r], c), row.roles[r]
			if granted != ticked {
				t.Errorf("%s / %q: roleCapabilities says %v, the README row %q says %v", r, c, granted, row.label, ticked)
			}
		}
	}
	if len(rows) > len(pairs) {
		for _, row := range rows {
			if !slices.ContainsFunc(caps, func(c Capability) bool { return pairs[c].label == row.label }) {
				t.Errorf("README row %q matches no capability in roleCapabilities", row.label)
			}
		}
	}
}

// roleTableRow is one capability row of the README: its wording and the roles ticked.
type roleTableRow struct {
	label string
	roles map[db.Role]bool
}

// findRoleTable returns the rows of the first markdown table whose header has one column per role; nil if none.
func findRoleTable(md string) []roleTableRow {
	var header []string
	var rows []roleTableRow
	cols := map[int]db.Role{}
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				return rows
			}
			header, cols = nil, map[int]db.Role{}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case strings.Trim(strings.Join(cells, ""), "-: ") == "": // the separator row
		case header == nil:
			header = cells
			for i, h := range cells {
				if r, err := db.ParseRole(strings.Trim(h, "`* ")); err == nil {
					cols[i] = r
				}
			}
		case len(cols) == len(roles):
			row := roleTableRow{label: cells[0], roles: map[db.Role]bool{}}
			for i, r := range cols {
				if i < len(cells) && ticked(cells[i]) {
					row.roles[r] = true
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func ticked(cell string) bool {
	switch strings.ToLower(strings.Trim(cell, "`* ")) {
	case "✓", "✔", "✅", "yes", "y", "x":
		return true
	}
	return false
}

// pairRows pairs capabilities with README rows, best word overlap first, each used once.
func pairRows(caps []Capability, rows []roleTableRow) map[Capability]roleTableRow {
	type pair struct {
		c     Capability
		row   int
		score int
	}
	var all []pair
	for _, c := range caps {
		for i, r := range rows {
			if s := overlap(words(string(c)), words(r.label)); s > 0 {
				all = append(all, pair{c, i, s})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	out := map[Capability]roleTableRow{}
	used := map[int]bool{}
	for _, p := range all {
		if _, done := out[p.c]; done || used[p.row] {
			continue
		}
		out[p.c], used[p.row] = rows[p.row], true
	}
	return out
}

var stopWords = map[string]bool{"the": true, "and": true, "a": true, "an": true, "to": true, "of": true, "or": true,
	"manage": true, "read": true, "other": true, "people": true, "page": true}

// words are the lowercase content words of s, with a plural "s" dropped ("hubs" and "hub" match).
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) > 3 {
			w = strings.TrimSuffix(w, "s")
		}
		if len(w) > 1 && !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

func overlap(a, b map[string]bool) int {
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return n
}
