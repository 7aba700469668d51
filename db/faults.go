package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// writeProbeSize is what WriteCheck writes beside the database: a little more than one SQLite transaction of a few
// pages, so a disk too full for the next commit is reported before the commit fails.
const writeProbeSize = 64 << 10

// ErrStorage marks a write the disk refused: it is full, read-only, or failing. Match it with errors.Is; the
// wrapped error says which.
var ErrStorage = errors.New("db: the database cannot be written")

// errServerReadOnly is WriteCheck's answer for a PostgreSQL server that accepts no writes.
var errServerReadOnly = errors.New("the server accepts no writes (a standby, or transactions default to read-only)")

// IsStorageFault reports whether err is SQLite or the filesystem refusing a write for lack of space or permission
// (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, ENOSPC, EROFS, EDQUOT), as opposed to a bad
// query or a busy database. Such errors clear by themselves once an operator frees space or fixes the mount.
//
// On PostgreSQL the database is a server: it is a storage fault when the server cannot be reached or dropped the
// connection (refused, reset, closed, shutting down: pgIsUnavailable), or when it refuses writes for its own
// reasons (disk full, I/O error, a read-only standby). These too clear without a change to the request.
func IsStorageFault(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrStorage) {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
			return true
		}
	}
	if pgIsFull(err) || pgIsReadOnly(err) || pgIsUnavailable(err) {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT)
}

// pgIsFull: the server ran out of disk (53100 disk_full), memory or connection slots (the rest of class 53,
// insufficient resources), or its storage failed (58030 io_error).
func pgIsFull(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "53") || pe.Code == "58030")
}

// pgIsReadOnly: the server refuses writes (25006 read_only_sql_transaction: a standby, or
// default_transaction_read_only), or WriteCheck found it so.
func pgIsReadOnly(err error) bool { return isPgCode(err, "25006") || errors.Is(err, errServerReadOnly) }

// pgIsUnavailable reports whether err says the PostgreSQL server cannot be reached or is going away: a failed
// connect, a refused or reset connection, a connection closed under the query, SQLSTATE class 08 (connection
// exception) or 57P01-57P03 (admin or crash shutdown, cannot connect now). A cancelled or expired context is not:
// that is the caller giving up. Nor is a network error that did not come through pgx: the upstream API being down
// is not the database being down (handlers answer 502 for one and 503 for the other).
func pgIsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	if errors.Is(err, driver.ErrBadConn) { // database/sql gave up on its connections
		return true
	}
	// pgconn's own errors (unexported) all say whether a retry is safe: that marks an error as pgx's.
	var fromPgconn interface{ SafeToRetry() bool }
	if !errors.As(err, &fromPgconn) {
		return false
	}
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF)
}

// WriteCheck reports whether the database could take a write now, without writing to it: the database file and
// its WAL are writable by this process, and the folder holding them accepts (and syncs) writeProbeSize bytes in
// a scratch file, removed at once. /healthz uses it, since reads alone keep working on a full or read-only disk.
// The error wraps ErrStorage and the cause (e.g. ENOSPC).
//
// On PostgreSQL there is no file to probe: the writer's connection must answer and the server must accept writes
// (not a read-only standby, not default_transaction_read_only), which is read without writing.
func (s *Store) WriteCheck(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.dialect == dialectPostgres {
		var readOnly string
		if err := s.w.GetContext(ctx, &readOnly, `SELECT current_setting('transaction_read_only')`); err != nil {
			if pgIsUnavailable(err) {
				return fmt.Errorf("%w: %s: %w", ErrStorage, s.path, err)
			}
			return fmt.Errorf("db: write check %s: %w", s.path, err)
		}
		if readOnly != "off" {
			return fmt.Errorf("%w: %s: %w", ErrStorage, s.path, errServerReadOnly)
		}
		return nil
	}
	for _, p := range []string{s.path, s.path + "-wal"} {
		if err := syscall.Access(p, 2 /* W_OK */); err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("%w: %s: %w", ErrStorage, p, err)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(s.path), ".write-check-*")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStorage, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, writeProbeSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return nil
}

// StorageProblem says, for a person, what a storage fault means: which condition, and that nothing was saved.
func StorageProblem(err error) string {
	switch {
	case pgIsUnavailable(err):
		return "the database server cannot be reached"
	case isPgCode(err, "53100"):
		return "the disk holding the database is full"
	case pgIsFull(err):
		return "the database server is out of resources (disk, memory or connections)"
	case pgIsReadOnly(err):
		return "the database server accepts no writes (read-only)"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), isSQLiteCode(err, sqlite3.ErrFull):
		return "the disk holding the database is full"
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM),
		isSQLiteCode(err, sqlite3.ErrReadonly):
		return "the database file or its disk is read-only"
	}
	return "the disk holding the database refuses writes"
}

func isSQLiteCode(err error, code sqlite3.ErrNo) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == code
}

// explainOpen adds the likely cause to a failure to open the database for writing: SQLite reports a read-only
// folder as "unable to open database file: no such file or directory" (it cannot create the WAL beside the file),
// which sends an operator looking for a missing file.
func explainOpen(path string, err error) error {
	if werr := checkWritable(path); werr != nil {
		return fmt.Errorf("%w: %w", werr, err)
	}
	return err
}

// checkWritable refuses a database that this process cannot write, saying which file and what to do. SQLite
// itself opens a read-only file read-only without a word, and the first write then fails far from the cause
// ("activity search index: attempt to write a readonly database").
func checkWritable(path string) error {
	for _, p := range []string{filepath.Dir(path), path} {
		aerr := syscall.Access(p, 2 /* W_OK */)
		if aerr == nil || errors.Is(aerr, syscall.ENOENT) {
			continue
		}
		mode := "unknown mode"
		if fi, err := os.Stat(p); err == nil {
			mode = fmt.Sprintf("mode %04o", fi.Mode().Perm())
		}
		return fmt.Errorf("%w: %s: %s is not writable by user %d (%s, %v): make it writable by the user the "+
			"dashboard runs as (chown, or chmod u+w %s; a read-only disk must be remounted read-write), or set "+
			"DATABASE_PATH to a writable place", ErrStorage, StorageProblem(aerr), p, os.Geteuid(), mode, aerr, p)
	}
	return nil
}

// prepareFiles creates the database's folder (0700) and an empty database file (0600) when they are missing, so
// that nobody else on the machine can read sessions or the activity log whatever the process umask. SQLite gives
// the -wal and -shm files the database file's mode. An existing database that cannot be written is refused here.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o700); err != nil { // MkdirAll's mode passes through the umask
			return err
		}
	}
	if err := checkWritable(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return err
	}
	if err := f.Chmod(0o600); err != nil { // umask-proof
		f.Close()
		return err
	}
	return f.Close()
}
