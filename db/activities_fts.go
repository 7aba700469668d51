package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The activity log's full-text index is an external-content FTS5 table over activities: it stores only the index,
// the text stays in activities. It is created here rather than in a migration because FTS5 exists only in binaries
// built with the sqlite_fts5 tag (the Makefile and Dockerfile set it); a binary without it still migrates, writes
// activities, and searches with a substring match. The next binary with FTS5 indexes whatever was written meanwhile.
const createFTSSQL = `CREATE VIRTUAL TABLE IF NOT EXISTS activities_fts USING fts5(
	details, actor, device_name, home_name,
	content = 'activities', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')`

// hasFTS5 reports whether this SQLite was compiled with FTS5.
func hasFTS5(ctx context.Context, w *sqlx.DB) (bool, error) {
	var on bool
	if err := w.GetContext(ctx, &on, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`); err != nil {
		return false, fmt.Errorf("db: fts5 probe: %w", err)
	}
	return on, nil
}

// setUpFTS creates the index when missing and indexes every activity it has not seen, in one transaction. It
// reports whether full-text search is available.
func (s *Store) setUpFTS(ctx context.Context) (bool, error) {
	on, err := hasFTS5(ctx, s.w.DB)
	if err != nil || !on {
		return false, err
	}
	err = s.inTx(ctx, func(tx *dbTx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists,
			`SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'activities_fts'`); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.ExecContext(ctx, createFTSSQL); err != nil {
				return err
			}
			// A new index starts empty: 'rebuild' reads every activity through the content table.
			if _, err := tx.ExecContext(ctx, `INSERT INTO activities_fts (activities_fts) VALUES ('rebuild')`); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO activities_fts (rowid, details, actor, device_name, home_name)
				SELECT id, details, actor, device_name, home_name FROM activities
				WHERE id > (SELECT last_id FROM activities_fts_state WHERE id = 1) ORDER BY id`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE activities_fts_state
			SET last_id = coalesce((SELECT max(id) FROM activities), 0) WHERE id = 1`)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: activity search index: %w", err)
	}
	return true, nil
}

// FullTextSearch reports whether the activity log's text search uses a word index (otherwise a slower substring
// match over the same columns): FTS5 on SQLite when built with it, the generated tsvector column on PostgreSQL,
// which is always there. The ingester's fts flag stays SQLite's: it says whether a batch writes to activities_fts.
func (s *Store) FullTextSearch() bool {
	return s.dialect == dialectPostgres || s.ingest != nil && s.ingest.fts.Load()
}
