package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// writeProbeSize is what WriteCheck writes beside the database: a little more than one SQLite transaction of a few
// pages, so a disk too full for the next commit is reported before the commit fails.
const writeProbeSize = 64 << 10

// ErrStorage marks a write the disk refused: it is full, read-only, or failing. Match it with errors.Is; the
// wrapped error says which.
var ErrStorage = errors.New("db: the database cannot be written")

// IsStorageFault reports whether err is SQLite or the filesystem refusing a write for lack of space or permission
// (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, ENOSPC, EROFS, EDQUOT), as opposed to a bad
// query or a busy database. Such errors clear by themselves once an operator frees space or fixes the mount.
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
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT)
}

// WriteCheck reports whether the database could take a write now, without writing to it: the database file and
// its WAL are writable by this process, and the folder holding them accepts (and syncs) writeProbeSize bytes in
// a scratch file, removed at once. /healthz uses it, since reads alone keep working on a full or read-only disk.
// The error wraps ErrStorage and the cause (e.g. ENOSPC).
func (s *Store) WriteCheck(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
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
	for _, p := range []string{filepath.Dir(path), path} {
		if aerr := syscall.Access(p, 2 /* W_OK */); aerr != nil && !errors.Is(aerr, syscall.ENOENT) {
			return fmt.Errorf("%w: %s (%s is not writable: %w): %w", ErrStorage, StorageProblem(aerr), p, aerr, err)
		}
	}
	return err
}
