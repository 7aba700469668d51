package db

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// The test matrix. forEachDialect runs a test against a fresh store of each dialect, as subtests named "sqlite"
// and "postgres"; a test that passes on both is proof that its queries are portable. newStore stays SQLite unless
// DB_TEST_DIALECT=postgres, which runs every test written against newStore on PostgreSQL instead: `make test` runs
// the package a second time that way, so the whole suite holds on both backends.
//
// The PostgreSQL cluster comes from pgtest (one per test binary, a fresh database per store). Without PostgreSQL
// installed the postgres subtests skip, except under CI=true, where they fail.

// testDialect is the dialect newStore opens, from DB_TEST_DIALECT ("postgres"; anything else is SQLite).
func testDialect() dialect {
	if os.Getenv("DB_TEST_DIALECT") == "postgres" {
		return dialectPostgres
	}
	return dialectSQLite
}

// newPGStore opens a migrated PostgreSQL store on a fresh database and closes it when the test ends.
func newPGStore(t testing.TB) *Store {
	t.Helper()
	s, err := OpenPostgres(t.Context(), pgtest.DSN(t))
	return closedAtEnd(t, s, err)
}

// forEachDialect runs fn once per dialect, each time as a parallel subtest with its own fresh store.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", newSQLiteStore}, {"postgres", newPGStore}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			fn(t, d.open(t))
		})
	}
}

// sqliteOnly skips t when the suite runs on PostgreSQL (DB_TEST_DIALECT=postgres), for a test of something only
// SQLite has; why says what, and shows in the skip message. It never skips for want of PostgreSQL: pgtest fails then.
func sqliteOnly(t *testing.T, why string) {
	t.Helper()
	if testDialect() == dialectPostgres {
		t.Skip("SQLite only: " + why)
	}
}
