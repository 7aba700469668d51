package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/keyless/dashboard/migrations"
)

// Connection settings live in the DSN so that every pooled connection gets them (a one-off PRAGMA
// exec would configure only the connection that happened to run it). synchronous=FULL because
// mattn defaults to NORMAL, which may lose a commit we already acknowledged on power loss. Each
// connection keeps its most recently used statements compiled (the driver's statement cache):
// compiling one of our page queries costs 20–80 µs, more than running it on a small mirror.
const (
	stmtCacheSize = "128" // per connection, least recently used out: a page runs 5–15 distinct queries

	commonParams = "_busy_timeout=5000&_foreign_keys=on&_synchronous=FULL&_stmt_cache_size=" + stmtCacheSize
	writerParams = commonParams + "&_journal_mode=WAL&_txlock=immediate"
	readerParams = commonParams + "&mode=ro"

	optimizeTimeout = 5 * time.Second // bound on PRAGMA optimize at Close
)

// fileURI turns a filesystem path into an SQLite URI path, escaping the characters a URI gives meaning to.
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Open opens (creating if needed) the database at path, applies pending migrations through the
// writer, then opens the read-only pool. The parent directory is created when missing.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("db: open %q: a file path is required", path)
	}
	if err := prepareFiles(path); err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	w, err := sqlx.Open("sqlite3", fileURI(path)+"?"+writerParams)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// One writer: Go's pool queues callers. Never run a query inside an open rows loop on it.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, explainOpen(path, err))
	}
	version, err := Migrate(ctx, w, migrations.SQLite)
	if err != nil {
		w.Close()
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	readDSN := fileURI(path) + "?" + readerParams
	r, err := sqlx.Open("sqlite3", readDSN)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s read-only: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("db: open %s read-only: %w", path, err)
	}
	s := &Store{w: dbPool{w}, r: dbPool{r}, path: path, readDSN: readDSN, file: fi, version: version}
	if err := s.startIngest(ctx); err != nil { // the activity log's group-commit writer (ingest.go)
		r.Close()
		w.Close()
		return nil, err
	}
	return s, nil
}

// Close lets SQLite refresh its planner statistics, then closes both pools. Closing the last
// connection checkpoints the WAL into the main file.
func (s *Store) Close() error {
	s.stopIngest() // first: queued deliveries still commit
	if s.dialect == dialectPostgres {
		return s.closePostgres()
	}
	ctx, cancel := context.WithTimeout(context.Background(), optimizeTimeout)
	defer cancel()
	// Best effort: stale statistics only cost speed, so a failure here must not fail Close.
	_, _ = s.w.ExecContext(ctx, "PRAGMA optimize")
	return errors.Join(wrapClose("reader", s.path, s.r.Close()), wrapClose("writer", s.path, s.w.Close()))
}

func wrapClose(pool, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("db: close %s %s: %w", pool, path, err)
}

// Ping reports whether the database is usable: the store is open, the file at path is still the
// one opened at start (not removed or replaced), and a fresh read-only connection can read its
// schema at the expected version. A fresh connection is used because a pooled one may answer from
// its page cache after the file went bad.
//
// On PostgreSQL there is no file: Ping checks that the server answers on the read pool and that the
// schema is at the version this store migrated to (pingPostgres).
func (s *Store) Ping(ctx context.Context) error {
	if s.dialect == dialectPostgres {
		return s.pingPostgres(ctx)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping %s: %w", s.path, err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("db: ping %s: %w", s.path, err)
	}
	if !os.SameFile(s.file, fi) {
		return fmt.Errorf("db: ping %s: the database file was replaced since it was opened", s.path)
	}
	c, err := sqlx.Open("sqlite3", s.readDSN)
	if err != nil {
		return fmt.Errorf("db: ping %s: %w", s.path, err)
	}
	defer c.Close()
	var tables, version int
	err = c.QueryRowContext(ctx,
		`SELECT (SELECT count(*) FROM sqlite_schema), (SELECT user_version FROM pragma_user_version)`,
	).Scan(&tables, &version)
	if err != nil {
		return fmt.Errorf("db: ping %s: %w", s.path, err)
	}
	if tables == 0 || version != s.version {
		return fmt.Errorf("db: ping %s: schema version %d with %d objects, want version %d", s.path, version, tables, s.version)
	}
	return nil
}

// IntegrityCheck runs SQLite's full integrity check and returns its report: "ok" when the file is
// sound, otherwise the problems found, one per line. It reads every page, so it is slow on a large
// file: run it from an admin action or a maintenance job, not per request.
//
// On PostgreSQL it is a cheap check only: the server answers and the schema is at the expected
// version (then "ok"). The server guards its own pages (data checksums, amcheck, pg_checksums are
// the operator's tools); the store has nothing to read page by page.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.dialect == dialectPostgres {
		if err := s.pingPostgres(ctx); err != nil {
			return "", fmt.Errorf("db: integrity check: %w", err)
		}
		return "ok", nil
	}
	var lines []string
	if err := s.r.SelectContext(ctx, &lines, "PRAGMA integrity_check"); err != nil {
		return "", fmt.Errorf("db: integrity check %s: %w", s.path, err)
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("db: integrity check %s: no result", s.path)
	}
	return strings.Join(lines, "\n"), nil
}
