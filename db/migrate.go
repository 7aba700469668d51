package db

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// migrationName is NNNN_name.sql; NNNN is the schema version the file brings the database to.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int
	name    string
	body    string
}

// loadMigrations reads every file at the root of fsys and checks that the numbers run 1, 2, 3…
// without gaps or duplicates, so a misnamed file fails loudly instead of being skipped.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	var ms []migration
	for i, name := range names { // fs.Glob sorts, and the numbers are zero-padded
		m := migrationName.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("db: migrations: %q is not named NNNN_name.sql", name)
		}
		v, _ := strconv.Atoi(m[1])
		if v != i+1 {
			return nil, fmt.Errorf("db: migrations: %s has number %d, want %d (numbers must be contiguous from 1)", name, v, i+1)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("db: migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, body: string(body)})
	}
	return ms, nil
}

// Migrate applies every migration in fsys newer than the database's PRAGMA user_version, each in
// its own transaction that also sets user_version, so a failing file leaves the database at the
// previous version. It returns the resulting version. A database newer than fsys is refused:
// an older binary must not write to a schema it does not know.
//
// A file that rebuilds a table must follow SQLite's 12-step ALTER procedure; PRAGMA foreign_keys
// cannot change inside the transaction, so such a file uses PRAGMA defer_foreign_keys=ON instead.
func Migrate(ctx context.Context, w *sqlx.DB, fsys fs.FS) (int, error) {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return 0, err
	}
	var current int
	if err := w.GetContext(ctx, &current, "PRAGMA user_version"); err != nil {
		return 0, fmt.Errorf("db: migrations: read user_version: %w", err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("db: migrations: database is at version %d, newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, w, m); err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}

func applyMigration(ctx context.Context, w *sqlx.DB, m migration) error {
	tx, err := w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migration %s: begin: %w", m.name, err)
	}
	defer tx.Rollback() // no-op after Commit
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return fmt.Errorf("db: migration %s: %w", m.name, err)
	}
	// PRAGMA takes no bound parameters; version is an int parsed from the file name.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version)); err != nil {
		return fmt.Errorf("db: migration %s: set user_version: %w", m.name, err)
	}
	var violations []struct {
		Table  string `db:"table"`
		RowID  *int64 `db:"rowid"`
		Parent string `db:"parent"`
		FKID   int64  `db:"fkid"`
	}
	if err := tx.SelectContext(ctx, &violations, "PRAGMA foreign_key_check"); err != nil {
		return fmt.Errorf("db: migration %s: foreign key check: %w", m.name, err)
	}
	if len(violations) > 0 {
		v := violations[0]
		return fmt.Errorf("db: migration %s: leaves %d foreign key violations (first: %s -> %s)", m.name, len(violations), v.Table, v.Parent)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: migration %s: commit: %w", m.name, err)
	}
	return nil
}
