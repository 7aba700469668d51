package db

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"

	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/migrations"
)

// rawPG opens a bare pool of n connections on a fresh PostgreSQL database, without migrating it.
func rawPG(t *testing.T, n int) (*sqlx.DB, string) {
	t.Helper()
	dsn := pgtest.DSN(t)
	cfg, err := pgConfig(dsn)
	must(t, err)
	db := openPgPool(cfg, n)
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

func pgVersions(t *testing.T, db *sqlx.DB) []int {
	t.Helper()
	var vs []int
	must(t, db.SelectContext(t.Context(), &vs, `SELECT version FROM schema_migrations ORDER BY version`))
	return vs
}

// TestMigrationFoldersLoad: both folders pass loadMigrations' rules (names, numbers contiguous from 1) and hold
// the same numbers and names, so a version means the same schema in either dialect.
func TestMigrationFoldersLoad(t *testing.T) {
	t.Parallel()
	sqlite, err := loadMigrations(migrations.SQLite)
	must(t, err)
	postgres, err := loadMigrations(migrations.Postgres)
	must(t, err)
	names := func(ms []migration) (out []string) {
		for i, m := range ms {
			if m.version != i+1 {
				t.Errorf("%s: version %d, want %d", m.name, m.version, i+1)
			}
			out = append(out, m.name)
		}
		return out
	}
	if a, b := names(sqlite), names(postgres); !slices.Equal(a, b) {
		t.Fatalf("sqlite migrations %q, postgres migrations %q: want the same files", a, b)
	}
}

// TestPostgresMigrationsApply: every file applies on an empty database, each recorded once; a second run is a
// no-op.
func TestPostgresMigrationsApply(t *testing.T) {
	t.Parallel()
	db, _ := rawPG(t, 1)
	ms, err := loadMigrations(migrations.Postgres)
	must(t, err)
	v, err := migratePostgres(t.Context(), db, migrations.Postgres)
	if err != nil || v != len(ms) {
		t.Fatalf("migratePostgres = %d, %v; want %d", v, err, len(ms))
	}
	want := make([]int, len(ms))
	for i := range want {
		want[i] = i + 1
	}
	if got := pgVersions(t, db); !slices.Equal(got, want) {
		t.Fatalf("schema_migrations = %v, want %v", got, want)
	}
	if v, err := migratePostgres(t.Context(), db, migrations.Postgres); err != nil || v != len(ms) {
		t.Fatalf("second run = %d, %v; want %d", v, err, len(ms))
	}
	if got := pgVersions(t, db); !slices.Equal(got, want) {
		t.Fatalf("after a second run schema_migrations = %v, want %v", got, want)
	}
	var locks int // the advisory lock is released once the run is over
	must(t, db.GetContext(t.Context(), &locks, `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`))
	if locks != 0 {
		t.Errorf("%d advisory locks still held after migrating", locks)
	}
}

// TestPostgresFailingMigrationLeavesVersion: a file that fails is rolled back whole and its version not recorded;
// the fixed file then applies.
func TestPostgresFailingMigrationLeavesVersion(t *testing.T) {
	t.Parallel()
	db, _ := rawPG(t, 1)
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER);\nINSERT INTO no_such_table VALUES (1);")},
	}
	if _, err := migratePostgres(t.Context(), db, fsys); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("err = %v, want a failure naming 0002_b.sql", err)
	}
	if got := pgVersions(t, db); !slices.Equal(got, []int{1}) {
		t.Fatalf("schema_migrations = %v, want [1]", got)
	}
	var n int
	must(t, db.GetContext(t.Context(), &n, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'b'`))
	if n != 0 {
		t.Fatal("table b of the failed migration was kept")
	}
	fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (x INTEGER);")}
	if v, err := migratePostgres(t.Context(), db, fsys); err != nil || v != 2 {
		t.Fatalf("after the fix = %d, %v; want 2", v, err)
	}
}

// TestPostgresConcurrentOpen: instances starting together on a fresh database all open, and the migrations ran
// once (without the advisory lock the losers fail on "relation already exists" or a duplicate version).
func TestPostgresConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	const instances = 4
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range instances {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = OpenPostgres(t.Context(), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, s := range stores {
		if s != nil {
			t.Cleanup(func() { must(t, s.Close()) })
		}
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i, errs[i])
		}
	}
	if t.Failed() {
		return
	}
	ms, err := loadMigrations(migrations.Postgres)
	must(t, err)
	var rows, distinct int
	must(t, stores[0].r.QueryRowContext(t.Context(),
		`SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct))
	if rows != len(ms) || distinct != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want %d: the migrations ran more than once", rows, distinct, len(ms))
	}
	for i, s := range stores {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("instance %d: Ping: %v", i, err)
		}
	}
}

// TestPostgresRefusesNewerSchema: a database migrated by a newer program is refused at open, and an open store's
// Ping notices a migration past its version.
func TestPostgresRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	s, err := OpenPostgres(t.Context(), dsn)
	must(t, err)
	defer s.Close()
	must(t, s.Ping(t.Context()))
	_, err = s.w.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`)
	must(t, err)
	if err := s.Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "schema version 999") {
		t.Errorf("Ping = %v, want a schema version mismatch", err)
	}
	if _, err := s.IntegrityCheck(t.Context()); err == nil {
		t.Error("IntegrityCheck passed on a schema of another version")
	}
	s2, err := OpenPostgres(t.Context(), dsn)
	if err == nil {
		s2.Close()
		t.Fatal("OpenPostgres accepted a schema newer than its migrations")
	}
	if !strings.Contains(err.Error(), "newer than this program's") {
		t.Errorf("err = %v, want it to say the database is newer", err)
	}
}

// TestPostgresStoreBasics: the PostgreSQL store's Ping, IntegrityCheck, WriteCheck and Dialect, and Close.
func TestPostgresStoreBasics(t *testing.T) {
	t.Parallel()
	s := newPGStore(t)
	must(t, s.Ping(t.Context()))
	if got, err := s.IntegrityCheck(t.Context()); err != nil || got != "ok" {
		t.Errorf("IntegrityCheck = %q, %v; want ok", got, err)
	}
	must(t, s.WriteCheck(t.Context()))
	if s.Dialect() != "postgres" || !s.FullTextSearch() {
		t.Errorf("Dialect = %q, FullTextSearch = %v; want postgres, true (the activities.search tsvector)",
			s.Dialect(), s.FullTextSearch())
	}
}

// TestPostgresUnreachableIsStorageFault: a server that refuses connections is a storage fault (webhooks answer
// 503 and are retried), said in words a person understands; the URL's password never appears in the error.
func TestPostgresUnreachableIsStorageFault(t *testing.T) {
	t.Parallel()
	_, err := OpenPostgres(t.Context(), "postgres://dash:s3cret@127.0.0.1:1/dash?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("OpenPostgres succeeded on a closed port")
	}
	if !IsStorageFault(err) {
		t.Errorf("IsStorageFault(%v) = false, want true", err)
	}
	if got := StorageProblem(err); got != "the database server cannot be reached" {
		t.Errorf("StorageProblem = %q", got)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the password: %v", err)
	}
	if IsStorageFault(errors.New("syntax error")) {
		t.Error("a plain error is a storage fault")
	}
	// The upstream API refusing a connection is not the database's fault (handlers answer 502, not 503).
	if _, nerr := net.Dial("tcp", "127.0.0.1:1"); nerr == nil || IsStorageFault(nerr) || IsStorageFault(fmt.Errorf("upstream: %w", nerr)) {
		t.Errorf("IsStorageFault(%v) = true for a network error outside the database", nerr)
	}
}

// TestSchemaRules: what the schema itself enforces behaves the same in both dialects: the counting triggers, the
// append-only audit log, the generated n_alerts, the JSON check on schedules, and the unique and foreign-key
// violations the store maps to ErrConflict (isUnique, isForeignKey).
func TestSchemaRules(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		exec := func(q string, args ...any) error {
			_, err := s.w.ExecContext(ctx, q, args...)
			return err
		}
		must(t, exec(`INSERT INTO properties (id, name, synced_at) VALUES (1, 'One', 0), (2, 'Two', 0)`))
		must(t, exec(`INSERT INTO hubs (id, property_id, online, synced_at) VALUES ('h1', 1, 1, 0), ('h2', 1, 0, 0)`))
		must(t, exec(`INSERT INTO devices (id, hub_id, property_id, battery, alert, state_changed_at, synced_at)
			VALUES ('d1', 'h1', 1, 10, '', 0, 0), ('d2', 'h1', 1, NULL, 'leak', 0, 0), ('d3', 'h2', 1, 90, '', 0, 0)`))
		checkCounters(t, s)
		var alerts int
		must(t, s.r.GetContext(ctx, &alerts, `SELECT n_alerts FROM properties WHERE id = ?`, 1))
		if alerts != 3 { // h2 offline, d1 low, d2 alerting
			t.Errorf("n_alerts = %d, want 3", alerts)
		}
		must(t, exec(`UPDATE hubs SET online = 1 WHERE id = ?`, "h2"))
		must(t, exec(`UPDATE devices SET property_id = 2, battery = 50 WHERE id = ?`, "d1"))
		must(t, exec(`UPDATE devices SET alert = '' WHERE id = ?`, "d2"))
		checkCounters(t, s)
		must(t, exec(`DELETE FROM hubs WHERE id = ?`, "h1")) // cascades to d1, d2
		must(t, exec(`DELETE FROM properties WHERE id = ?`, 2))
		checkCounters(t, s)

		must(t, exec(`INSERT INTO audit_log (at, action, outcome) VALUES (1, 'code.issued', 'ok')`))
		for _, q := range []string{`UPDATE audit_log SET detail = 'x'`, `DELETE FROM audit_log`} {
			if err := exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only", q, err)
			}
		}

		for _, blocks := range []string{`not json`, `{"days":[1]}`} {
			if err := exec(`INSERT INTO schedules (id, device_type, blocks, created_at, updated_at, synced_at)
				VALUES (?, 'thermostat', ?, 0, 0, 0)`, "s-"+blocks, blocks); err == nil {
				t.Errorf("blocks %q accepted", blocks)
			}
		}
		must(t, exec(`INSERT INTO schedules (id, device_type, blocks, created_at, updated_at, synced_at)
			VALUES ('s1', 'thermostat', '[]', 0, 0, 0)`))

		user := `INSERT INTO users (email, role, created_at, updated_at, password_changed_at) VALUES (?, 'staff', 0, 0, 0)`
		must(t, exec(user, "ann@example.com"))
		if err := exec(user, "Ann@Example.com"); !isUnique(err) || isForeignKey(err) {
			t.Errorf("duplicate email: isUnique(%v) = false", err)
		}
		err := exec(`INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES (?, 999, 0, 0, 0)`,
			strings.Repeat("a", 64))
		if !isForeignKey(err) || isUnique(err) {
			t.Errorf("session of no user: isForeignKey(%v) = false", err)
		}
		var id int64 // identity columns are assigned, as SQLite's rowids are
		must(t, s.w.GetContext(ctx, &id, `INSERT INTO sync_runs (started_at, finished_at, ok) VALUES (1, 2, 1) RETURNING id`))
		if id != 1 {
			t.Errorf("first sync run id = %d, want 1", id)
		}
	})
}

// column is one column as the schema-equivalence test compares it.
type column struct {
	Table   string `db:"tbl"`
	Name    string `db:"col"`
	Type    string `db:"typ"`     // SQLite's declared type; PostgreSQL's data_type
	NotNull bool   `db:"notnull"` // SQLite: declared NOT NULL (a primary key column counts as NOT NULL here)
}

// Allowed differences between the two schemas, each with its reason. Anything else that differs fails the test.
var (
	// Tables only SQLite has: FTS5's virtual table and its shadow tables, created at start by setUpFTS
	// (activities_fts.go). PostgreSQL's search is a column of activities instead (activities.search below).
	sqliteOnlyTables = map[string]string{
		"activities_fts":         "FTS5 virtual table (PostgreSQL: the activities.search tsvector column)",
		"activities_fts_config":  "FTS5 shadow table",
		"activities_fts_data":    "FTS5 shadow table",
		"activities_fts_docsize": "FTS5 shadow table",
		"activities_fts_idx":     "FTS5 shadow table",
	}
	// Tables only PostgreSQL has.
	postgresOnlyTables = map[string]string{
		"schema_migrations": "the migration versions (SQLite keeps its version in PRAGMA user_version)",
	}
	// Columns only PostgreSQL has.
	postgresOnlyColumns = map[string]string{
		"activities.search": "generated tsvector with a GIN index: PostgreSQL's full-text index (SQLite: activities_fts)",
	}
	// Declared SQLite types and the PostgreSQL types that translate them.
	typeMap = map[string][]string{
		"INTEGER": {"bigint", "integer"},
		"TEXT":    {"text"},
		"BLOB":    {"bytea"},
	}
)

// TestSchemaEquivalence: both migration folders, applied by the stores' own Open, define the same tables and
// columns, with translated types and the same NOT NULL rules (read from SQLite's pragma_table_xinfo, which also
// lists generated columns, and PostgreSQL's information_schema), except for the differences listed above.
func TestSchemaEquivalence(t *testing.T) {
	t.Parallel()
	lite, pg := newSQLiteStore(t), newPGStore(t)
	var liteCols, pgCols []column
	must(t, lite.r.SelectContext(t.Context(), &liteCols, `SELECT m.name AS tbl, c.name AS col, c.type AS typ,
			(c."notnull" OR c.pk > 0) AS "notnull"
		FROM sqlite_schema m, pragma_table_xinfo(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		ORDER BY m.name, c.name`))
	must(t, pg.r.SelectContext(t.Context(), &pgCols, `SELECT c.table_name AS tbl, c.column_name AS col,
			c.data_type AS typ, c.is_nullable = 'NO' AS "notnull"
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema()
		ORDER BY c.table_name, c.column_name`))
	if len(liteCols) == 0 || len(pgCols) == 0 {
		t.Fatalf("read %d SQLite and %d PostgreSQL columns", len(liteCols), len(pgCols))
	}
	key := func(c column) string { return c.Table + "." + c.Name }
	liteBy, pgBy := map[string]column{}, map[string]column{}
	liteTables, pgTables := map[string]bool{}, map[string]bool{}
	for _, c := range liteCols {
		liteBy[key(c)], liteTables[c.Table] = c, true
	}
	for _, c := range pgCols {
		pgBy[key(c)], pgTables[c.Table] = c, true
	}
	for tbl := range liteTables {
		if !pgTables[tbl] && sqliteOnlyTables[tbl] == "" {
			t.Errorf("table %s: only in SQLite", tbl)
		}
	}
	for tbl := range pgTables {
		if !liteTables[tbl] && postgresOnlyTables[tbl] == "" {
			t.Errorf("table %s: only in PostgreSQL", tbl)
		}
	}
	for tbl, why := range sqliteOnlyTables { // an allowance that no longer applies is stale: remove it
		if !liteTables[tbl] || pgTables[tbl] {
			t.Errorf("allowed difference %s (%s) does not occur", tbl, why)
		}
	}
	for k, lc := range liteBy {
		if !pgTables[lc.Table] {
			continue
		}
		pc, ok := pgBy[k]
		if !ok {
			t.Errorf("column %s: only in SQLite", k)
			continue
		}
		if !slices.Contains(typeMap[lc.Type], pc.Type) {
			t.Errorf("column %s: SQLite %s, PostgreSQL %s; want one of %v", k, lc.Type, pc.Type, typeMap[lc.Type])
		}
		if lc.NotNull != pc.NotNull {
			t.Errorf("column %s: NOT NULL %v in SQLite, %v in PostgreSQL", k, lc.NotNull, pc.NotNull)
		}
	}
	for k, pc := range pgBy {
		if _, ok := liteBy[k]; !ok && liteTables[pc.Table] && postgresOnlyColumns[k] == "" {
			t.Errorf("column %s: only in PostgreSQL", k)
		}
	}
	for k, why := range postgresOnlyColumns {
		if _, ok := pgBy[k]; !ok {
			t.Errorf("allowed difference %s (%s) does not occur", k, why)
		}
	}
	t.Logf("compared %d SQLite columns with %d PostgreSQL columns", len(liteCols), len(pgCols))
}

// TestBoolsAsIntegers: a Go bool (plain, pointer, sql.NullBool) written to an INTEGER 0/1 column is stored as 1 or
// 0 in both dialects, and reads back into a bool, so flag columns need no per-dialect code.
func TestBoolsAsIntegers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		yes, no := true, false
		for i, v := range []any{true, false, &yes, &no, sql.NullBool{Bool: true, Valid: true}} {
			_, err := s.w.ExecContext(ctx, `INSERT INTO sync_runs (id, started_at, finished_at, ok) VALUES (?, 0, 0, ?)`, i+1, v)
			must(t, err)
		}
		var got []int
		must(t, s.r.SelectContext(ctx, &got, `SELECT ok FROM sync_runs ORDER BY id`))
		if !slices.Equal(got, []int{1, 0, 1, 0, 1}) {
			t.Errorf("stored %v, want [1 0 1 0 1]", got)
		}
		var b []bool
		must(t, s.r.SelectContext(ctx, &b, `SELECT ok FROM sync_runs ORDER BY id`))
		if !slices.Equal(b, []bool{true, false, true, false, true}) {
			t.Errorf("read back %v", b)
		}
	})
}

// TestPostgresLostConnection: when the server ends the store's sessions (a restart, a failover, an admin), the next
// write either succeeds on a new connection or fails as a storage fault, never as a query error; and the store
// recovers without being reopened.
func TestPostgresLostConnection(t *testing.T) {
	t.Parallel()
	s := newPGStore(t)
	ctx := t.Context()
	var killed int
	must(t, s.r.GetContext(ctx, &killed, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t`))
	if killed == 0 {
		t.Fatal("no session of the writer to end")
	}
	insert := `INSERT INTO sync_runs (started_at, finished_at, ok) VALUES (0, 0, 1)`
	if _, err := s.w.ExecContext(ctx, insert); err != nil && !IsStorageFault(err) {
		t.Fatalf("write after the session ended: %v; IsStorageFault = false", err)
	} else {
		t.Logf("first write after the session ended: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, insert); err != nil {
		t.Fatalf("the store did not recover: %v", err)
	}
	must(t, s.Ping(ctx))
}

// TestTSQueryQuotes: tsQuery's lexemes reach to_tsquery as words even when they hold tsquery syntax, quotes or
// backslashes (searchTerms keeps those out already; the quoting must not rely on it), and an over-long word is cut
// instead of failing the query.
func TestTSQueryQuotes(t *testing.T) {
	t.Parallel()
	s := newPGStore(t)
	tests := []struct {
		terms []string
		want  string
	}{
		{[]string{"jane", "doe"}, `'jane':* & 'doe':*`},
		{[]string{`a'b`}, `'a':* <-> 'b':*`}, // the parser splits the word at the quote: a phrase, no syntax
		{[]string{`c\d`}, `'c':* <-> 'd':*`},
		{[]string{`x:*|!y&(`}, `'x':* <-> 'y':*`},
		{[]string{strings.Repeat("é", 3000)}, `'` + strings.Repeat("é", maxLexemeBytes/2) + `':*`},
	}
	for _, tt := range tests {
		var got string
		must(t, s.r.GetContext(t.Context(), &got, `SELECT to_tsquery('simple', ?)::text`, tsQuery(tt.terms)))
		if got != tt.want {
			t.Errorf("tsQuery(%q) reads as %s, want %s", tt.terms, got, tt.want)
		}
	}
}
