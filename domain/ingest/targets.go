package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
)

// Resolving a delivery's hub and device against the mirror is a read per delivery, and the answer changes only
// when a sync reassigns a hub or device (every few minutes at most). A short-lived cache keeps that read off the
// hot path; an entry is at most resolveTTL old, so a reassignment shows in new activities within that time.
const (
	resolveTTL     = 30 * time.Second
	resolveEntries = 50_000 // beyond this the cache starts over rather than grow
)

type resolveKey struct{ hub, device string }

type resolveEntry struct {
	target db.Target
	until  time.Time
}

// targetCache is the receiver's cache of db.ResolveTarget answers; safe for concurrent use.
type targetCache struct {
	store *db.Store
	mu    sync.Mutex
	m     map[resolveKey]resolveEntry
}

func newTargetCache(store *db.Store) *targetCache {
	return &targetCache{store: store, m: map[resolveKey]resolveEntry{}}
}

// resolve returns the mirror's answer for a hub and device, from the cache when it is fresh.
func (c *targetCache) resolve(ctx context.Context, hubID, deviceID string, now time.Time) (db.Target, error) {
	k := resolveKey{hubID, deviceID}
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.target, nil
	}
	t, err := c.store.ResolveTarget(ctx, hubID, deviceID)
	if err != nil {
		return db.Target{}, err
	}
	c.mu.Lock()
	if len(c.m) >= resolveEntries {
		clear(c.m)
	}
	c.m[k] = resolveEntry{target: t, until: now.Add(resolveTTL)}
	c.mu.Unlock()
	return t, nil
}
