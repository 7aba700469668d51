package mirror

import (
	"context"
	"errors"
	"sync"

	"github.com/keyless/dashboard/db"
)

// syncRuns caches the latest recorded sync and the latest good one, which every portfolio page shows. Only the
// Syncer records syncs, so it reads them from the store once, and again after each sync it records.
type syncRuns struct {
	mu      sync.Mutex
	version uint64 // moves on each recorded sync; a read that started under an older version is not kept
	loaded  bool
	last    *db.SyncRun // nil: no sync recorded yet
	good    *db.SyncRun // nil: no good sync recorded yet
}

// invalidate is called after a sync has been recorded (or failed to be): the next read goes to the store.
func (c *syncRuns) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	c.loaded, c.last, c.good = false, nil, nil
}

// LastRuns returns the latest sync run and the latest good one (either nil when there is none).
func (s *Syncer) LastRuns(ctx context.Context) (last, good *db.SyncRun, err error) {
	c := &s.runs
	c.mu.Lock()
	if c.loaded {
		last, good = c.last, c.good
		c.mu.Unlock()
		return last, good, nil
	}
	version := c.version
	c.mu.Unlock()
	if last, good, err = readRuns(ctx, s.store); err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if c.version == version { // no sync was recorded meanwhile
		c.loaded, c.last, c.good = true, last, good
	}
	c.mu.Unlock()
	return last, good, nil
}

func readRuns(ctx context.Context, store *db.Store) (last, good *db.SyncRun, err error) {
	l, err := store.LastSync(ctx)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	}
	if l.OK {
		return &l, &l, nil
	}
	g, err := store.LastGoodSync(ctx)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return &l, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return &l, &g, nil
}
