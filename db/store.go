// Package db is the dashboard's store: users and sessions, a mirror of the upstream portfolio
// (properties, hubs, devices), sync runs and the staff audit log. One Store, two dialects: SQLite
// (Open, the default) and PostgreSQL (OpenPostgres, for several instances sharing one database).
// Portable SQL is written once with ? placeholders (rebind.go); what differs is written per
// dialect, switched on Store.dialect.
//
// Every time is stored as integer unix milliseconds in UTC (BIGINT on PostgreSQL) and returned as
// a time.Time in UTC; sub-millisecond precision is dropped. Writes go through a pool of exactly one
// connection (SQLite has one writer; Go queues callers instead of SQLite answering "database is
// locked"; on PostgreSQL the same single writer per instance keeps the code's assumptions), reads
// through a read-only pool.
package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// Store holds every query the dashboard runs. Writes go through w (one connection), reads through r.
type Store struct {
	dialect dialect
	w       dbPool
	r       dbPool
	path    string          // SQLite: the database file; PostgreSQL: the URL without its password, for messages
	readDSN string          // SQLite only
	file    os.FileInfo     // SQLite only: the file opened at start, so Ping notices it being removed or replaced
	version int             // schema version after migrations, checked by Ping
	pg      *pgx.ConnConfig // PostgreSQL only: how to open a dedicated connection (dedicatedConn)
	leader  leaderCandidate // PostgreSQL only: the connection TryLead polls on while another instance leads
	ingest  *ingester       // the activity log's group-commit writer, started by Open and stopped by Close
	auth    authVersion     // bumped by every write that can end a session or change its user (sessions_version.go)
}

var (
	// ErrNotFound is returned when a lookup matches no row, or none the caller may see.
	ErrNotFound = errors.New("db: not found")
	// ErrConflict is returned when a write would violate a uniqueness rule (e.g. a duplicate email).
	ErrConflict = errors.New("db: conflict")
)

// inTx runs fn in one write transaction (BEGIN IMMEDIATE, from the writer DSN), committing when fn
// returns nil and rolling back otherwise. fn must use only tx: the writer pool has one
// connection, which tx holds, so any s.w call inside fn would wait forever. Callers prefix the
// returned error with "db: " and their operation.
func (s *Store) inTx(ctx context.Context, fn func(*dbTx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// dialect is the SQL dialect of a store's database.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// PostgreSQL error codes (SQLSTATE) the store tells apart.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgDeadlockDetected    = "40P01"
	pgSerializationFail   = "40001"
)

// isRetryable reports whether err is PostgreSQL aborting a transaction only because another one ran at the same
// time (a deadlock between instances, a serialization failure): the same transaction again can succeed.
func isRetryable(err error) bool {
	return isPgCode(err, pgDeadlockDetected) || isPgCode(err, pgSerializationFail)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint violation, in either dialect.
func isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return isPgCode(err, pgUniqueViolation)
}

// isForeignKey reports whether err is a FOREIGN KEY constraint violation, in either dialect.
func isForeignKey(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintForeignKey
	}
	return isPgCode(err, pgForeignKeyViolation)
}

// isPgCode reports whether err is a PostgreSQL error with the given SQLSTATE.
func isPgCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// notFound maps sql.ErrNoRows to ErrNotFound and leaves other errors as they are.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// mustAffect returns ErrNotFound when an UPDATE or DELETE touched no row.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ms converts t to the stored form: unix milliseconds (UTC by definition).
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts a stored time back to a time.Time in UTC. fromMS(ms(time.Time{})) is the zero time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// stored returns t as it reads back from the store: UTC, whole milliseconds.
func stored(t time.Time) time.Time { return fromMS(ms(t)) }

// nullMS converts an optional time to its stored form (NULL when nil).
func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(*t), Valid: true}
}

// fromNullMS converts a stored optional time back (nil when NULL).
func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// nowOr returns t, or the current time when t is zero, so callers may leave timestamps unset.
func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

func nullInt64(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func fromNullInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func fromNullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

// likePattern turns a user's search text into a lower-case substring LIKE pattern, escaping the
// LIKE metacharacters with a backslash (queries say ESCAPE '\'). SQLite's LIKE ignores ASCII case
// (and only ASCII, like its lower()), so queries compare the columns as stored: wrapping each one
// in lower() made a search over 5,000 properties take twice as long.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}

// Paging defaults shared by the list queries.
const (
	DefaultPerPage = 25  // rows per page when a filter leaves PerPage at 0
	MaxPerPage     = 100 // upper bound on PerPage, whatever the caller asks
)

// maxPage bounds the page number so the row offset cannot overflow on a hostile ?page=.
const maxPage = 1_000_000

// pageBounds normalises a 1-based page and a page size and returns them with the row offset.
func pageBounds(page, perPage int) (p, pp, offset int) {
	p, pp = min(max(page, 1), maxPage), perPage
	if pp <= 0 {
		pp = DefaultPerPage
	}
	pp = min(pp, MaxPerPage)
	return p, pp, (p - 1) * pp
}

// qualify prefixes each column of a comma-separated list with a table alias ("id, name" → "h.id, h.name").
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// deref returns *p, or 0 for nil, for error messages about optional ids.
func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// readTx runs fn in one read transaction on the read-only pool, so several queries see one
// snapshot. It always rolls back: there is nothing to commit, and a read transaction must not be
// held open longer than fn (it would stop WAL checkpoints).
func (s *Store) readTx(ctx context.Context, fn func(*dbTx) error) error {
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// compareFold orders strings as SQLite's ORDER BY lower(x) does: ASCII letters compared without case, every
// other byte as is.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := asciiLower(a[i]), asciiLower(b[i])
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	return cmp.Compare(len(a), len(b))
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// caseless makes the LIKEs of a search ignore case in both dialects: SQLite's LIKE already ignores ASCII case (the
// patterns are lower-cased by likePattern), PostgreSQL's needs ILIKE. q is SQL the store wrote, never user text.
func (s *Store) caseless(q string) string {
	if s.dialect == dialectPostgres {
		return strings.ReplaceAll(q, " LIKE ", " ILIKE ")
	}
	return q
}
