package db

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/keyless/dashboard/migrations"
)

// IngestBatch is one batch of the group-commit writer, as OnIngestBatch reports it.
type IngestBatch struct {
	Items int           // deliveries in the transaction
	Took  time.Duration // from the first write to the commit (retries of the whole transaction included)
	OK    bool
}

// OnIngestBatch has fn told of every batch the writer commits or fails, on the writer's goroutine: it must be
// quick (a metric). A batch split into single items after an item's failure is told item by item.
func (s *Store) OnIngestBatch(fn func(IngestBatch)) { s.ingest.onBatch.Store(&fn) }

func (in *ingester) reportBatch(n int, start time.Time, err error) {
	if fn := in.onBatch.Load(); fn != nil {
		(*fn)(IngestBatch{Items: n, Took: time.Since(start), OK: err == nil})
	}
}

// Migrations returns how many migrations the database has recorded and how many this program knows: a
// database behind (another instance rolled back) or ahead (a newer instance migrated it) reports them unequal.
func (s *Store) Migrations(ctx context.Context) (applied, known int, err error) {
	known, err = knownSQLite()
	if s.dialect == dialectPostgres {
		known, err = knownPostgres()
	}
	if err != nil {
		return 0, 0, err
	}
	if s.dialect == dialectPostgres {
		applied, err = pgSchemaVersion(ctx, s.r.DB)
	} else {
		err = s.r.GetContext(ctx, &applied, "SELECT user_version FROM pragma_user_version")
	}
	if err != nil {
		return 0, known, fmt.Errorf("db: migrations: %w", err)
	}
	return applied, known, nil
}

// knownSQLite and knownPostgres count the embedded migrations once: they are fixed for the binary's life, and
// /readyz, which load balancers probe every few seconds, would otherwise read and parse every file each time.
var (
	knownSQLite   = sync.OnceValues(func() (int, error) { return countMigrations(migrations.SQLite) })
	knownPostgres = sync.OnceValues(func() (int, error) { return countMigrations(migrations.Postgres) })
)

func countMigrations(fsys fs.FS) (int, error) {
	ms, err := loadMigrations(fsys)
	return len(ms), err
}
