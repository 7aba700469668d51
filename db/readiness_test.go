package db

import (
	"io/fs"
	"sync"
	"testing"

	"github.com/keyless/dashboard/migrations"
)

func TestMigrationsCounted(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		fsys := fs.FS(migrations.SQLite)
		if s.Dialect() == "postgres" {
			fsys = migrations.Postgres
		}
		files, err := fs.Glob(fsys, "*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("no migrations found: %v", err)
		}
		applied, known, err := s.Migrations(t.Context())
		if err != nil || applied != len(files) || known != len(files) {
			t.Errorf("Migrations = %d, %d, %v; want %d of %d", applied, known, err, len(files), len(files))
		}
	})
}

func TestOnIngestBatch(t *testing.T) {
	t.Parallel()
	s := newSQLiteStore(t)
	var mu sync.Mutex
	var got []IngestBatch
	s.OnIngestBatch(func(b IngestBatch) { mu.Lock(); got = append(got, b); mu.Unlock() })
	ingest(t, s, IngestItem{Activity: newActivity(1, 0)})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Items != 1 || !got[0].OK || got[0].Took <= 0 {
		t.Errorf("batches told %+v, want one of 1 item that committed", got)
	}
}
