package db

import (
	"context"
	"fmt"
	"time"
)

// SyncRun records one attempt at a full sync, so every page can say how fresh the mirror is.
type SyncRun struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time
	OK         bool
	Error      string // what failed, when !OK
	Properties int
	Hubs       int
	Devices    int
}

type syncRunRow struct {
	ID         int64  `db:"id"`
	StartedAt  int64  `db:"started_at"`
	FinishedAt int64  `db:"finished_at"`
	OK         bool   `db:"ok"`
	Error      string `db:"error"`
	Properties int    `db:"properties"`
	Hubs       int    `db:"hubs"`
	Devices    int    `db:"devices"`
}

const syncRunCols = `id, started_at, finished_at, ok, error, properties, hubs, devices`

func (r syncRunRow) run() SyncRun {
	return SyncRun{ID: r.ID, StartedAt: fromMS(r.StartedAt), FinishedAt: fromMS(r.FinishedAt), OK: r.OK,
		Error: r.Error, Properties: r.Properties, Hubs: r.Hubs, Devices: r.Devices}
}

// syncRunsKept bounds the sync history: at one run a minute it covers about a day, and the
// latest successful run is always kept whatever its age.
const syncRunsKept = 1000

// RecordSync appends one sync attempt (run.ID is ignored) and trims the history to the newest
// syncRunsKept runs plus the latest successful one.
func (s *Store) RecordSync(ctx context.Context, run SyncRun) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_runs
			(started_at, finished_at, ok, error, properties, hubs, devices) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ms(run.StartedAt), ms(run.FinishedAt), run.OK, run.Error, run.Properties, run.Hubs, run.Devices)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sync_runs
			WHERE id <= (SELECT max(id) FROM sync_runs) - ?
			  AND id <> coalesce((SELECT max(id) FROM sync_runs WHERE ok = 1), 0)`, syncRunsKept)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: record sync started %s: %w", run.StartedAt.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// LastSync returns the latest sync attempt, successful or not, or ErrNotFound before the first.
func (s *Store) LastSync(ctx context.Context) (SyncRun, error) {
	return s.lastSync(ctx, "last sync", `SELECT `+syncRunCols+` FROM sync_runs ORDER BY id DESC LIMIT 1`)
}

// LastGoodSync returns the latest successful sync, or ErrNotFound if none succeeded yet.
func (s *Store) LastGoodSync(ctx context.Context) (SyncRun, error) {
	return s.lastSync(ctx, "last good sync",
		`SELECT `+syncRunCols+` FROM sync_runs WHERE ok = 1 ORDER BY id DESC LIMIT 1`)
}

func (s *Store) lastSync(ctx context.Context, what, query string) (SyncRun, error) {
	var r syncRunRow
	if err := s.r.GetContext(ctx, &r, query); err != nil {
		return SyncRun{}, fmt.Errorf("db: %s: %w", what, notFound(err))
	}
	return r.run(), nil
}
