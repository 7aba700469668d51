package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestRun: copydb copies a dashboard's SQLite file into PostgreSQL and says how many rows each table had; the
// PostgreSQL store then serves them, and a second run into the same database is refused.
func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dashboard.db")
	src, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CreateUser(t.Context(), db.User{Email: "a@example.com", Name: "A", Role: db.RoleAdmin, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := src.Audit(t.Context(), db.AuditEntry{At: time.Now(), Action: "login", Outcome: db.OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	url := pgtest.DSN(t)
	env := map[string]string{"DATABASE_URL": url}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"copydb", "-from", path}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"users", "audit_log", "sequences set past the copied ids"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	pg, err := db.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := pg.UserByEmail(t.Context(), "a@example.com"); err != nil || u.Name != "A" {
		t.Errorf("copied user: %+v, %v", u, err)
	}
	pg.Close()
	err = run(context.Background(), []string{"copydb", "-from", path, "-to", url}, func(string) string { return "" }, &out)
	if err == nil || !strings.Contains(err.Error(), "already has data") {
		t.Errorf("a second copy: %v", err)
	}
	if err := run(context.Background(), []string{"copydb"}, func(string) string { return "" }, &out); err == nil {
		t.Error("run without a source or target succeeded")
	}
}
