// Package migrations holds the forward-only SQL migrations of the dashboard's SQLite store.
//
// Files are named NNNN_name.sql with contiguous numbers from 0001. db.Migrate applies each file
// newer than PRAGMA user_version in its own transaction and sets user_version in that same
// transaction, so a file must not contain BEGIN/COMMIT or touch user_version itself. Files are
// never edited once released: a change to the schema is a new file.
package migrations

import "embed"

// FS holds every migration file, read by db.Migrate in number order.
//
//go:embed *.sql
var FS embed.FS
