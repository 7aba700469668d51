package db

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fillForCopy writes through the store API into a fresh SQLite file, one or more rows in most tables, and closes it
// (as a stopped dashboard leaves it). It returns the path and the lock code it stored.
func fillForCopy(t *testing.T) (string, LockCode) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "source.db")
	s, err := Open(t.Context(), path)
	must(t, err)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(3, 2, 2, t0)))
	u, err := s.CreateUser(ctx, User{Email: "owner@example.com", Name: "Olive Owner", Role: RoleAdmin, PasswordHash: "x"})
	must(t, err)
	_, err = s.CreateUser(ctx, User{Email: "staff@example.com", Name: "Stan Staff", Role: RoleStaff, PasswordHash: "y"})
	must(t, err)
	newSession(t, s, u.ID, t0)
	for i := range 40 {
		ingest(t, s, IngestItem{Activity: newActivity(i, time.Duration(i)*time.Second)})
	}
	code := testCode("code-1", 1000, t0, "dev-0000000")
	code.CreatedBy = &u.ID
	must(t, s.UpsertLockCode(ctx, code))
	for _, action := range []string{"login", "lock", "code.create"} {
		must(t, s.Audit(ctx, AuditEntry{At: t0, UserID: &u.ID, Action: action, Outcome: OutcomeOK, IP: "192.0.2.9"}))
	}
	prop := int64(1000)
	_, err = s.CreateCommand(ctx, Command{HubID: "hub-000000", DeviceID: "dev-0000000", PropertyID: &prop, UserID: &u.ID,
		Action: "lock", CreatedAt: t0})
	must(t, err)
	must(t, s.Close())
	return path, code
}

// TestCopySQLite: every table of a filled SQLite database arrives in PostgreSQL with the same row count; reads on
// the PostgreSQL store see the copied rows (and the triggers did not count the hubs twice); and inserts after the
// copy get ids past the copied ones, so the sequences were moved.
func TestCopySQLite(t *testing.T) {
	t.Parallel()
	path, code := fillForCopy(t)
	pg := newPGStore(t)
	rep, err := CopySQLite(t.Context(), path, pg)
	must(t, err)

	lite, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro")
	must(t, err)
	defer lite.Close()
	conn, err := lite.Conn(t.Context())
	must(t, err)
	defer conn.Close()
	tables, err := sqliteCopyTables(t.Context(), conn)
	must(t, err)
	if len(rep.Tables) != len(tables) {
		t.Errorf("copied %d tables, the SQLite file has %d", len(rep.Tables), len(tables))
	}
	nonEmpty := 0
	for name := range tables {
		var want, got int64
		must(t, conn.QueryRowContext(t.Context(), "SELECT count(*) FROM "+quoteLite(name)).Scan(&want))
		must(t, pg.r.QueryRowContext(t.Context(), "SELECT count(*) FROM "+quotePg(name)).Scan(&got))
		if got != want {
			t.Errorf("table %s: %d rows in PostgreSQL, %d in SQLite", name, got, want)
		}
		if want > 0 {
			nonEmpty++
		}
	}
	for _, name := range []string{"users", "sessions", "properties", "hubs", "devices", "activities", "lock_codes",
		"audit_log", "commands"} {
		if _, ok := tables[name]; !ok {
			t.Errorf("the SQLite file has no table %s", name)
		}
	}
	if nonEmpty < 10 {
		t.Errorf("only %d tables held rows: the fill does not exercise the copy", nonEmpty)
	}
	if _, ok := tables["activities_fts"]; ok {
		t.Error("the FTS5 table is listed for copying")
	}

	ctx := t.Context()
	checkCounters(t, pg)
	owner, err := pg.UserByEmail(ctx, "owner@example.com")
	if err != nil || owner.Name != "Olive Owner" || owner.Role != RoleAdmin {
		t.Errorf("copied user: %+v, %v", owner, err)
	}
	got, err := pg.LockCode(ctx, code.ID)
	if err != nil || string(got.PINSealed) != string(code.PINSealed) || len(got.Devices) != 1 || !got.StartsAt.Equal(*code.StartsAt) {
		t.Errorf("copied lock code: %+v, %v", got, err)
	}
	if entries, err := pg.ListAudit(ctx, AuditFilter{}); err != nil || len(entries) != 3 || entries[0].IP != "192.0.2.9" {
		t.Errorf("copied audit log: %+v, %v", entries, err)
	}
	// New rows get ids past the copied ones (first: on PostgreSQL a duplicate's ON CONFLICT also takes an id).
	if res := ingest(t, pg, IngestItem{Activity: newActivity(100, time.Minute)}); res.Duplicate || res.ID != 41 {
		t.Errorf("first activity after the copy: %+v, want id 41", res)
	}
	// And a redelivery of a copied event is a duplicate of the copied row: the dedupe keys came across intact.
	if res := ingest(t, pg, IngestItem{Activity: newActivity(7, 7*time.Second)}); !res.Duplicate || res.ID != 8 {
		t.Errorf("redelivery after the copy: %+v, want a duplicate of activity 8", res)
	}
	u, err := pg.CreateUser(ctx, User{Email: "new@example.com", Name: "New", Role: RoleStaff, PasswordHash: "z"})
	if err != nil || u.ID != 3 {
		t.Errorf("first user after the copy: id %d, %v; want id 3", u.ID, err)
	}
	if rep.Sequences < 5 {
		t.Errorf("moved %d sequences, want every identity column's", rep.Sequences)
	}
}

// TestCopySQLiteRefuses: a target with data and an SQLite file at another schema version are refused, and the
// target is left as it was.
func TestCopySQLiteRefuses(t *testing.T) {
	t.Parallel()
	path, _ := fillForCopy(t)
	pg := newPGStore(t)
	_, err := pg.CreateUser(t.Context(), User{Email: "there@example.com", Name: "Already", Role: RoleStaff, PasswordHash: "x"})
	must(t, err)
	if _, err := CopySQLite(t.Context(), path, pg); err == nil || !strings.Contains(err.Error(), "already has data (table users)") {
		t.Errorf("copy into a non-empty target: %v", err)
	}
	var n int
	must(t, pg.r.QueryRowContext(t.Context(), "SELECT count(*) FROM properties").Scan(&n))
	if n != 0 {
		t.Errorf("the refused copy left %d properties behind", n)
	}

	lite, err := sql.Open("sqlite3", fileURI(path))
	must(t, err)
	_, err = lite.ExecContext(t.Context(), fmt.Sprintf("PRAGMA user_version = %d", pg.version-1))
	must(t, err)
	must(t, lite.Close())
	empty := newPGStore(t)
	if _, err := CopySQLite(t.Context(), path, empty); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("copy of an older schema: %v", err)
	}
	if _, err := CopySQLite(t.Context(), filepath.Join(t.TempDir(), "missing.db"), empty); err == nil {
		t.Error("copy of a missing file succeeded")
	}
	if _, err := CopySQLite(t.Context(), path, newSQLiteStore(t)); err == nil {
		t.Error("copy into an SQLite store succeeded")
	}
}

// TestCopySeededTables: a freshly migrated PostgreSQL database holds rows only in seededTables, which the copy
// replaces; a migration that seeds another table must add it there, or every copy would be refused.
func TestCopySeededTables(t *testing.T) {
	t.Parallel()
	pg := newPGStore(t)
	var tables []string
	must(t, pg.r.SelectContext(t.Context(), &tables, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1`, pgMigrationsTable))
	for _, name := range tables {
		var has bool
		must(t, pg.r.QueryRowContext(t.Context(), "SELECT EXISTS (SELECT 1 FROM "+quotePg(name)+")").Scan(&has))
		if has != slices.Contains(seededTables, name) {
			t.Errorf("table %s: rows after migrating %v, listed in seededTables %v", name, has, slices.Contains(seededTables, name))
		}
	}
}

func TestCopyMatchTables(t *testing.T) {
	t.Parallel()
	pg := []copyTable{{name: "a", columns: []string{"id", "x"}}, {name: "b", columns: []string{"id"}}, {name: "pg_only"}}
	cases := []struct {
		name    string
		lite    map[string][]string
		want    []string
		wantErr string
	}{
		{"same tables, columns in another order", map[string][]string{"a": {"x", "id"}, "b": {"id"}}, []string{"a", "b"}, ""},
		{"a column only SQLite has", map[string][]string{"a": {"id", "x", "y"}, "b": {"id"}}, nil, "table a has columns [id x y] in SQLite"},
		{"a column only PostgreSQL has", map[string][]string{"a": {"id"}, "b": {"id"}}, nil, "table a has columns [id] in SQLite but [id x]"},
		{"a table only SQLite has", map[string][]string{"a": {"id", "x"}, "b": {"id"}, "c": {"id"}}, nil, "table c is not in the PostgreSQL schema"},
	}
	for _, tc := range cases {
		got, skipped, err := matchTables(tc.lite, pg)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		var names []string
		for _, g := range got {
			names = append(names, g.name)
		}
		if err != nil || !slices.Equal(names, tc.want) || !slices.Equal(skipped, []string{"pg_only"}) {
			t.Errorf("%s: %v skipped %v, %v", tc.name, names, skipped, err)
		}
	}
}

func TestCopyConvert(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v      any
		pgType string
		want   any
		ok     bool
	}{
		{nil, "bigint", nil, true},
		{int64(5), "integer", int64(5), true},
		{float64(5), "bigint", int64(5), true},
		{5.5, "bigint", nil, false},
		{"12", "bigint", int64(12), true},
		{"twelve", "bigint", nil, false},
		{true, "integer", int64(1), true},
		{"text", "text", "text", true},
		{[]byte("text"), "text", "text", true},
		{[]byte{0xff}, "text", nil, false},
		{"a\x00b", "text", nil, false},
		{int64(3), "text", "3", true},
		{"blob", "bytea", []byte("blob"), true},
		{[]byte{0, 1}, "bytea", []byte{0, 1}, true},
		{int64(1), "bytea", nil, false},
		{`{"a":1}`, "jsonb", `{"a":1}`, true},
	}
	for _, tc := range cases {
		got, err := convertForPg(tc.v, tc.pgType)
		if (err == nil) != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("convertForPg(%#v, %s) = %#v, %v; want %#v ok=%v", tc.v, tc.pgType, got, err, tc.want, tc.ok)
		}
	}
}
