package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

func TestOpenCreatesDirectoryAndEscapesPath(t *testing.T) {
	t.Parallel()
	// URI metacharacters in the path must reach the filesystem unchanged.
	path := filepath.Join(t.TempDir(), "a?b#c%20d e", "nested", "dash.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at %s: %v", path, err)
	}
	must(t, s.Ping(t.Context()))
}

// TestOpenRelativePath opens the default DATABASE_PATH shape, relative to the working directory.
func TestOpenRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Open(t.Context(), "./data/dashboard.db")
	must(t, err)
	defer s.Close()
	must(t, s.Ping(t.Context()))
	if _, err := os.Stat(filepath.Join(dir, "data", "dashboard.db")); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	// SQLite treats a file shorter than a page as an empty database, so the junk must be longer.
	must(t, os.WriteFile(file, []byte(strings.Repeat("not a database ", 500)), 0o600))
	tests := []struct {
		name string
		path string
	}{
		{"empty", ""},
		{"memory", ":memory:"},
		{"parent is a file", filepath.Join(file, "dash.db")},
		{"not a database", file},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(t.Context(), tt.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), "db: ") {
				t.Errorf("error %q lacks the db: prefix", err)
			}
		})
	}
}

// TestPragmasOnEveryConnection holds every connection of each pool at once, so each setting is read on each
// connection, not just on whichever one the pool hands out first: SQLite's pragmas, or PostgreSQL's session
// settings (the reader's read-only default, the application_name operators look for in pg_stat_activity).
func TestPragmasOnEveryConnection(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	pools := []struct {
		name  string
		db    *sqlx.DB
		conns int
		want  map[string]string
	}{
		{"writer", s.w.DB, 1, nil},
		{"reader", s.r.DB, max(4, runtime.NumCPU()), nil},
	}
	show := "SHOW "
	if s.dialect == dialectPostgres {
		pools[0].want = map[string]string{"default_transaction_read_only": "off", "application_name": pgAppName}
		pools[1].want = map[string]string{"default_transaction_read_only": "on", "application_name": pgAppName}
	} else {
		show = "PRAGMA "
		sqlite := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"}
		pools[0].want, pools[1].want = sqlite, sqlite
	}
	for _, p := range pools {
		t.Run(p.name, func(t *testing.T) {
			if got := p.db.Stats().MaxOpenConnections; got != p.conns {
				t.Errorf("MaxOpenConnections = %d, want %d", got, p.conns)
			}
			var held []*sqlx.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for i := range p.conns {
				c, err := p.db.Connx(t.Context())
				must(t, err)
				held = append(held, c)
				for name, w := range p.want {
					var got string
					must(t, c.GetContext(t.Context(), &got, show+name))
					if got != w {
						t.Errorf("conn %d: %s%s = %q, want %q", i, show, name, got, w)
					}
				}
			}
		})
	}
}

// TestReaderIsReadOnly: a write sent to the reader pool fails, in either dialect's words for the same rule.
func TestReaderIsReadOnly(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	_, err := s.r.ExecContext(t.Context(), `INSERT INTO sync_runs (started_at, finished_at, ok) VALUES (0, 0, 1)`)
	var se sqlite3.Error
	var pe *pgconn.PgError
	switch {
	case s.dialect == dialectPostgres && errors.As(err, &pe) && pe.Code == "25006": // read_only_sql_transaction
	case s.dialect == dialectSQLite && errors.As(err, &se) && se.Code == sqlite3.ErrReadonly:
	default:
		t.Fatalf("write through reader: err = %v, want SQLITE_READONLY or SQLSTATE 25006", err)
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	_, err := s.w.ExecContext(t.Context(),
		`INSERT INTO devices (id, hub_id, state_changed_at, synced_at) VALUES ('d', 'no-such-hub', 0, 0)`)
	if !isForeignKey(err) {
		t.Fatalf("err = %v, want a foreign key violation", err)
	}
}

func TestIntegrityCheck(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(5, 1, 2, t0)))
	got, err := s.IntegrityCheck(t.Context())
	if err != nil || got != "ok" {
		t.Fatalf("IntegrityCheck = %q, %v; want ok", got, err)
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		break_  func(t *testing.T, s *Store, path string)
		wantErr bool
	}{
		{"healthy", func(*testing.T, *Store, string) {}, false},
		{"closed", func(t *testing.T, s *Store, _ string) { s.Close() }, true},
		{"file removed", func(t *testing.T, _ *Store, path string) { must(t, os.Remove(path)) }, true},
		{"file replaced", func(t *testing.T, _ *Store, path string) {
			other := filepath.Join(filepath.Dir(path), "other.db")
			o, err := Open(t.Context(), other)
			must(t, err)
			must(t, o.Close())
			must(t, os.Rename(other, path))
		}, true},
		{"file overwritten", func(t *testing.T, s *Store, path string) {
			// Until a checkpoint, every page lives in the WAL and damage to the main file is invisible.
			_, err := s.w.ExecContext(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)")
			must(t, err)
			must(t, os.WriteFile(path, []byte(strings.Repeat("not a database ", 500)), 0o600))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "dash.db")
			s, err := Open(t.Context(), path)
			must(t, err)
			defer s.Close() // may fail once the file is broken; the point is Ping
			must(t, s.Ping(t.Context()))
			tt.break_(t, s, path)
			err = s.Ping(t.Context())
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Ping = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// TestConcurrentWriters hammers the store from many goroutines, and from a second Store on the
// same file (as a second process would), while readers list: nothing may fail with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dash.db")
	a, err := Open(t.Context(), path)
	must(t, err)
	defer a.Close()
	b, err := Open(t.Context(), path)
	must(t, err)
	defer b.Close()
	must(t, a.ApplySync(t.Context(), genSnapshot(20, 1, 4, t0)))

	const workers, ops, writesPerOp = 16, 15, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*ops*writesPerOp) // never blocks a worker
	for w := range workers {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for i := range ops {
				ctx := t.Context()
				errs <- s.Audit(ctx, AuditEntry{Action: "test.write", Outcome: OutcomeOK, TargetID: fmt.Sprint(w, i)})
				errs <- s.UpsertProperty(ctx, Property{ID: int64(1000 + (w*ops+i)%20), Name: fmt.Sprint("P", w, i)})
				_, err := s.CreateUser(ctx, User{Email: fmt.Sprintf("u%d-%d@example.com", w, i), Role: RoleStaff})
				errs <- err
				errs <- s.UpdateDeviceLive(ctx, "dev-0000001", "", ptr(i), nil, nil, t0)
				_, err = s.ListProperties(ctx, PropertyFilter{Sort: "alerts"})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent op: %v", err) // "database is locked" would show here
		}
	}
	n, err := a.CountUsers(t.Context())
	if err != nil || n != workers*ops {
		t.Fatalf("CountUsers = %d, %v; want %d", n, err, workers*ops)
	}
	checkCounters(t, a)
}

func TestInTxCommitsOrRollsBack(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	insert := func(tx *dbTx, id int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO properties (id, synced_at) VALUES (?, 0)`, id)
		return err
	}
	boom := errors.New("boom")
	must(t, s.inTx(ctx, func(tx *dbTx) error { return insert(tx, 1) }))
	if err := s.inTx(ctx, func(tx *dbTx) error {
		must(t, insert(tx, 2))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed")
			}
		}()
		_ = s.inTx(ctx, func(tx *dbTx) error {
			must(t, insert(tx, 3))
			panic("boom")
		})
	}()
	var ids []int64
	must(t, s.r.SelectContext(ctx, &ids, `SELECT id FROM properties ORDER BY id`))
	if fmt.Sprint(ids) != "[1]" {
		t.Fatalf("properties = %v, want [1]: the failed transactions must leave nothing", ids)
	}
	// The writer connection is usable again after both failures.
	must(t, s.UpsertProperty(ctx, Property{ID: 4}))
}
