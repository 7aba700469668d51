// Package migrations holds the forward-only SQL migrations of the dashboard's store, one folder per dialect:
// sqlite/ for the default SQLite store (DATABASE_PATH) and postgres/ for PostgreSQL (DATABASE_URL).
//
// Both folders hold the same files: NNNN_name.sql with contiguous numbers from 0001, the same number and name in
// each, and the same tables and columns once applied (db's TestSchemaEquivalence checks it; the differences it
// allows are listed there with their reasons). A schema change is one new number in both folders, written once per
// dialect. Files are never edited once released.
//
// db.Migrate (SQLite) applies each file newer than PRAGMA user_version in its own transaction and sets
// user_version in that same transaction; db.OpenPostgres applies each file newer than the schema_migrations table
// in its own transaction, under an advisory lock, and records its version in that transaction. So a file must not
// contain BEGIN/COMMIT (a plpgsql function body's BEGIN … END is fine) or touch user_version or schema_migrations
// itself.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// SQLite holds the SQLite migration files at its root, read by db.Migrate in number order.
var SQLite = sub("sqlite")

// Postgres holds the PostgreSQL migration files at its root, read by db.OpenPostgres in number order.
var Postgres = sub("postgres")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil { // only for an invalid path, and dir is a constant
		panic(err)
	}
	return f
}
