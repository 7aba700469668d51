package handlers

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	_ "github.com/mattn/go-sqlite3" // the driver db.Open uses; the test reads the file beside the server

	"github.com/keyless/dashboard/db"
)

// sqlMetaValues are the filter values of TestSQLMetacharactersInFilters: quoting, comments, LIKE wildcards,
// escapes, classic injections and a NUL.
var sqlMetaValues = []string{`'`, `"`, `;`, `--`, `%`, `_`, `\`, `' OR 1=1 --`, `'; DROP TABLE users;--`,
	"a\x00b", `%' OR '1'='1`, `*`, `") OR ("1"="1`}

// sqlFilter is one filter parameter of one list and the rows it shows.
type sqlFilter struct {
	path, param, row string
	search           bool // a text search: a value no row holds must match no row
	words            bool // a full-text word search: a value without a letter or digit holds no word, so it may
	// match every row (as an empty search does) or none, never some
}

// TestSQLMetacharactersInFilters: every GET filter and search parameter of every list answers 200 or a clear 4xx
// to SQL metacharacters, a search for a string no row holds shows no row (wildcards are not wildcards), and the
// schema and every table's row count are the same afterwards.
func TestSQLMetacharactersInFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(4))
	c := env.signedInClient(t, db.RoleAdmin)
	raw := openStoreFile(t)
	wantStatus(t, env.get(t, c, "/invitations"), http.StatusOK) // its first visit records an access refresh
	wh := &whEnv{testEnv: env}
	dev, hub := wh.mirrored(t, "lock")
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, msg := range []string{"Unlock", "Lock", "access_denied"} {
		if rep := wh.post(t, "", deviceEvent(dev, hub, msg, "", "Sam O'Neil", now.Add(time.Duration(i)*time.Second)), nil); rep.status != http.StatusOK {
			t.Fatalf("webhook: %d %s", rep.status, rep.body)
		}
	}
	for _, l := range []struct{ path, row string }{{"/activities", "activity-row"}, {"/audit", "audit-row"},
		{"/properties", "property-row"}, {"/hubs", "hub-row"}, {"/drift", "drift-property"}} {
		if byTestID(env.get(t, c, l.path).doc, l.row).Length() == 0 {
			t.Fatalf("%s lists nothing: a search finding nothing would prove nothing", l.path)
		}
	}
	before := dbSnapshot(t, raw)
	filters := []sqlFilter{
		{"/properties", "q", "property-row", true, false}, {"/properties", "sort", "property-row", false, false},
		{"/properties", "dir", "property-row", false, false}, {"/properties", "page", "property-row", false, false},
		{"/properties", "hub_offline", "property-row", false, false},
		{"/hubs", "q", "hub-row", true, false}, {"/hubs", "offline", "hub-row", false, false}, {"/hubs", "page", "hub-row", false, false},
		{"/drift", "q", "drift-property", true, false}, {"/drift", "property", "drift-property", false, false},
		{"/invitations", "status", "invitation-row", false, false}, {"/invitations", "property_id", "invitation-row", false, false},
		{"/invitations", "page", "invitation-row", false, false},
		{"/inbox", "status", "inbox-row", false, false}, {"/inbox", "before", "inbox-row", false, false},
	}
	for _, p := range []string{"q", "who", "message_type", "device_type", "hub", "device", "property", "from", "to", "before"} {
		filters = append(filters, sqlFilter{"/activities", p, "activity-row", p == "q" || p == "who", p == "q"})
	}
	for _, p := range []string{"person", "action", "target_type", "target_id", "property", "outcome", "from", "to", "before"} {
		filters = append(filters, sqlFilter{"/audit", p, "audit-row", p == "person" || p == "action" || p == "target_id", false})
	}
	asserted := 0
	for _, f := range filters {
		for _, v := range sqlMetaValues {
			path := f.path + "?" + url.Values{f.param: {v}}.Encode()
			res := env.get(t, c, path)
			switch {
			case res.status == http.StatusOK:
			case res.status >= 400 && res.status < 500 && res.status != http.StatusForbidden:
				if strings.TrimSpace(res.doc.Text()) == "" {
					t.Errorf("%s: %d without a message", path, res.status)
				}
				continue
			default:
				t.Errorf("%s: status %d\n%.500s", path, res.status, res.body)
				continue
			}
			if f.search && !holdsText(t, raw, v) {
				asserted++
				n := byTestID(res.doc, f.row).Length()
				if f.words && !strings.ContainsFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) &&
					n == byTestID(env.get(t, c, f.path).doc, f.row).Length() {
					continue
				}
				if n != 0 {
					t.Errorf("%s: %d rows, want 0 (no row holds %q)", path, n, v)
				}
			}
		}
	}
	if asserted < 50 {
		t.Errorf("only %d searches had a known answer: the row counts prove little", asserted)
	}
	if after := dbSnapshot(t, raw); after != before {
		t.Errorf("the database changed:\nbefore %s\nafter  %s", before[strings.LastIndex(before, "\n"):],
			after[strings.LastIndex(after, "\n"):])
	}
}

// openStoreFile opens the env's SQLite file read-only. newTestEnv puts it in its own t.TempDir(), a sibling of
// any later one.
func openStoreFile(t *testing.T) *sql.DB {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "dashboard.db"))
	if err != nil || len(files) != 1 {
		t.Fatalf("store file: %v %v", files, err)
	}
	raw, err := sql.Open("sqlite3", "file:"+files[0]+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// dbSnapshot is the schema and the row count of every table, as one comparable string.
func dbSnapshot(t *testing.T, raw *sql.DB) string {
	t.Helper()
	rows, err := raw.QueryContext(t.Context(), `SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var tables []string
	for rows.Next() {
		var typ, name, ddl string
		if err := rows.Scan(&typ, &name, &ddl); err != nil {
			t.Fatal(err)
		}
		b.WriteString(typ + " " + name + " " + ddl + "\n")
		if typ == "table" && !strings.HasPrefix(name, "sqlite_") && !strings.Contains(ddl, "VIRTUAL") {
			tables = append(tables, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	for _, name := range tables {
		var n int64
		if err := raw.QueryRowContext(t.Context(), `SELECT count(*) FROM "`+name+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(name + "=" + strconv.FormatInt(n, 10) + " ")
	}
	return b.String()
}

// holdsText reports whether any searched text column of the mirror, the log or the audit holds v (then a search
// for it may match rows). It errs on the side of "holds": a failing check only skips the row-count assertion.
func holdsText(t *testing.T, raw *sql.DB, v string) bool {
	t.Helper()
	probe := strings.ToLower(strings.ReplaceAll(v, "\x00", ""))
	rows, err := raw.QueryContext(t.Context(), `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.sql NOT LIKE '%VIRTUAL%' AND m.name NOT LIKE 'sqlite_%' AND p.type = 'TEXT'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols [][2]string
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{tbl, col})
	}
	for _, tc := range cols {
		var n int
		q := `SELECT count(*) FROM "` + tc[0] + `" WHERE instr(lower("` + tc[1] + `"), ?) > 0`
		if err := raw.QueryRowContext(t.Context(), q, probe).Scan(&n); err != nil || n > 0 {
			return true
		}
	}
	return false
}
