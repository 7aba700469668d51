// Package throttle spends attempts per key (an address, an account, a guest link) from token buckets, so repeated
// failures slow down and good attempts do not.
package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/keyless/dashboard/db"
)

// Limiter holds one token bucket per key (an address or an account). Only failures spend tokens, so a person who
// types their password right is never slowed down by it. Buckets idle for an hour are forgotten.
//
// A Limiter made by Shared over a PostgreSQL store keeps its buckets in the database (db.SpendThrottle), so every
// instance behind a load balancer spends from the same bucket: a guesser cannot multiply the limit by the number
// of instances. Otherwise (New, or a SQLite store, which has one process) the buckets live in memory.
type Limiter struct {
	every time.Duration
	burst int
	store *db.Store // nil: in memory
	name  string    // the limiter's rows in the throttles table

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// New returns an in-memory limiter that allows burst attempts per key, then one more each every.
func New(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// Shared returns a limiter like New whose buckets are the rows called name in store's throttles table when store
// is PostgreSQL, shared by every instance; on SQLite (or a nil store) it is New's.
func Shared(store *db.Store, name string, every time.Duration, burst int) *Limiter {
	t := New(every, burst)
	if store != nil && store.Dialect() == "postgres" {
		t.store, t.name = store, name
	}
	return t
}

// dbKey is the stored form of a key: its SHA-256, so the table holds no email address or client address and every
// key has one length.
func dbKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Blocked reports whether key has no attempt left, and how long until it has one.
func (t *Limiter) Blocked(ctx context.Context, key string, now time.Time) (bool, time.Duration, error) {
	if t.store != nil {
		tat, err := t.store.ThrottleTAT(ctx, t.name, dbKey(key))
		if errors.Is(err, db.ErrNotFound) {
			return false, 0, nil
		}
		if err != nil {
			return false, 0, err
		}
		// GCRA: an attempt is left while tat <= now + (burst-1)*every (db/throttles.go).
		wait := tat.Sub(now) - time.Duration(t.burst-1)*t.every
		return wait > 0, max(wait, 0), nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[key]
	if !ok || b.lim.TokensAt(now) >= 1 {
		return false, 0, nil
	}
	r := b.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return true, wait, nil
}

// Seen reports whether key has failed within the last hour or so (until pruning forgets it).
func (t *Limiter) Seen(ctx context.Context, key string) (bool, error) {
	if t.store != nil {
		_, err := t.store.ThrottleTAT(ctx, t.name, dbKey(key))
		if errors.Is(err, db.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.buckets[key]
	return ok, nil
}

// Fail spends one attempt of key.
func (t *Limiter) Fail(ctx context.Context, key string, now time.Time) error {
	if t.store != nil {
		return t.store.SpendThrottle(ctx, t.name, dbKey(key), t.every, t.burst, now)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.swept) > time.Hour { // the database's buckets are pruned by auth.Pruner instead
		for k, b := range t.buckets {
			if now.Sub(b.used) > time.Hour {
				delete(t.buckets, k)
			}
		}
		t.swept = now
	}
	b, ok := t.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(t.every), t.burst)}
		t.buckets[key] = b
	}
	b.used = now
	b.lim.AllowN(now, 1)
	return nil
}

// PruneAge is how long an idle, full bucket is kept in the database; afterwards it holds nothing a fresh bucket
// would not (every limit of the dashboard refills within an hour).
const PruneAge = time.Hour
