package db

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"

	"github.com/keyless/dashboard/migrations"
)

// rawWriter opens a bare writer pool on a fresh file, without migrating it.
func rawWriter(t *testing.T) *sqlx.DB {
	t.Helper()
	w, err := sqlx.Open("sqlite3", fileURI(filepath.Join(t.TempDir(), "m.db"))+"?"+writerParams)
	must(t, err)
	w.SetMaxOpenConns(1)
	t.Cleanup(func() { w.Close() })
	return w
}

func userVersion(t *testing.T, w *sqlx.DB) int {
	t.Helper()
	var v int
	must(t, w.GetContext(t.Context(), &v, "PRAGMA user_version"))
	return v
}

func schemaDump(t *testing.T, w *sqlx.DB) string {
	t.Helper()
	var sqls []string
	must(t, w.SelectContext(t.Context(), &sqls,
		`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`))
	return strings.Join(sqls, "\n")
}

func TestEmbeddedMigrationsAreContiguous(t *testing.T) {
	t.Parallel()
	ms, err := loadMigrations(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("%s: version %d, want %d", m.name, m.version, i+1)
		}
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	w := rawWriter(t)
	ms, err := loadMigrations(migrations.SQLite)
	must(t, err)
	v, err := Migrate(t.Context(), w, migrations.SQLite)
	if err != nil || v != len(ms) {
		t.Fatalf("Migrate = %d, %v; want %d", v, err, len(ms))
	}
	before := schemaDump(t, w)
	v, err = Migrate(t.Context(), w, migrations.SQLite)
	if err != nil || v != len(ms) || userVersion(t, w) != len(ms) {
		t.Fatalf("second Migrate = %d, %v (user_version %d); want %d", v, err, userVersion(t, w), len(ms))
	}
	if after := schemaDump(t, w); after != before {
		t.Errorf("schema changed on re-run:\n%s\n---\n%s", before, after)
	}
}

func TestFailingMigrationLeavesVersion(t *testing.T) {
	t.Parallel()
	w := rawWriter(t)
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER);\nINSERT INTO no_such_table VALUES (1);")},
	}
	if _, err := Migrate(t.Context(), w, fsys); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("err = %v, want a failure naming 0002_b.sql", err)
	}
	if v := userVersion(t, w); v != 1 {
		t.Fatalf("user_version = %d, want 1", v)
	}
	var n int
	must(t, w.GetContext(t.Context(), &n, `SELECT count(*) FROM sqlite_schema WHERE name = 'b'`))
	if n != 0 {
		t.Fatal("table b of the failed migration was kept")
	}
	fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (x INTEGER);")}
	if v, err := Migrate(t.Context(), w, fsys); err != nil || v != 2 {
		t.Fatalf("after the fix Migrate = %d, %v; want 2", v, err)
	}
}

func TestMigrationFileRules(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name string
		fsys fs.FS
	}{
		{"gap", fstest.MapFS{"0001_a.sql": file("SELECT 1;"), "0003_c.sql": file("SELECT 1;")}},
		{"duplicate number", fstest.MapFS{"0001_a.sql": file("SELECT 1;"), "0001_b.sql": file("SELECT 1;")}},
		{"starts at 2", fstest.MapFS{"0002_b.sql": file("SELECT 1;")}},
		{"bad name", fstest.MapFS{"0001_a.sql": file("SELECT 1;"), "init.sql": file("SELECT 1;")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := rawWriter(t)
			if _, err := Migrate(t.Context(), w, tt.fsys); err == nil {
				t.Fatal("Migrate accepted a bad set of files")
			}
			if v := userVersion(t, w); v != 0 {
				t.Fatalf("user_version = %d, want 0 (nothing applied)", v)
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dash.db")
	s, err := Open(t.Context(), path)
	must(t, err)
	_, err = s.w.ExecContext(t.Context(), "PRAGMA user_version = 999")
	must(t, err)
	must(t, s.Close())
	if s, err := Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than its migrations")
	}
}
