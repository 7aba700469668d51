package stays

import (
	"context"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/throttle"
)

// Rate limits of the guest pages (ASVS 6.3.1, 11.5.1): per link (keyed by the token's hash, so unknown tokens are
// limited too) and per address. Buckets refill steadily; the burst is the allowance after a quiet spell.
const (
	GuestOpensPerLink    = 30 // opens per hour per link
	GuestOpensPerAddress = 60 // burst per address, then one every 30 s
	GuestUnlocksPerLink  = 5  // unlock presses per 15 minutes per link
	GuestUnlocksPerAddr  = 10 // unlock presses per 15 minutes per address
)

// GuestLimits are the token buckets of the guest pages, and one more that keeps a blocked client from filling the
// audit log: a rate-limit hit is audited at most once per key every ten minutes.
type GuestLimits struct {
	opens, opensByAddr, unlocks, unlocksByAddr, reports *throttle.Limiter
}

// NewGuestLimits returns the buckets, kept in store's database when it is PostgreSQL (shared by every instance)
// and in memory otherwise (nil store: in memory).
func NewGuestLimits(store *db.Store) *GuestLimits {
	return &GuestLimits{
		opens:         throttle.Shared(store, "guest.opens", time.Hour/GuestOpensPerLink, GuestOpensPerLink),
		opensByAddr:   throttle.Shared(store, "guest.opens_addr", 30*time.Second, GuestOpensPerAddress),
		unlocks:       throttle.Shared(store, "guest.unlocks", 15*time.Minute/GuestUnlocksPerLink, GuestUnlocksPerLink),
		unlocksByAddr: throttle.Shared(store, "guest.unlocks_addr", 15*time.Minute/GuestUnlocksPerAddr, GuestUnlocksPerAddr),
		reports:       throttle.Shared(store, "guest.reports", 10*time.Minute, 1),
	}
}

// Open spends one page open of the link with this token hash from this address, or reports how long to wait.
func (g *GuestLimits) Open(ctx context.Context, tokenHash, addr string, now time.Time) (ok bool, wait time.Duration, err error) {
	return take(ctx, now, limitKey{g.opens, tokenHash}, limitKey{g.opensByAddr, addr})
}

// Unlock spends one unlock press of the link with this token hash from this address, or reports how long to wait.
func (g *GuestLimits) Unlock(ctx context.Context, tokenHash, addr string, now time.Time) (ok bool, wait time.Duration, err error) {
	return take(ctx, now, limitKey{g.unlocks, tokenHash}, limitKey{g.unlocksByAddr, addr})
}

// ShouldReport reports whether a rate-limit hit on key is the first in ten minutes, and so worth an audit record.
// When the database cannot tell, it says yes: one audit record too many is better than one missing.
func (g *GuestLimits) ShouldReport(ctx context.Context, key string, now time.Time) bool {
	ok, _, err := take(ctx, now, limitKey{g.reports, key})
	return ok || err != nil
}

// limitKey is one bucket of one throttle.
type limitKey struct {
	t   *throttle.Limiter
	key string
}

// take spends one attempt from every bucket, or none when any is empty; wait is then how long until they all have
// one again. Across instances the check and the spend are two statements: requests racing on one key at the same
// instant may overshoot a limit by the few that passed the check together, never more.
func take(ctx context.Context, now time.Time, keys ...limitKey) (ok bool, wait time.Duration, err error) {
	blockedAny := false
	for _, k := range keys {
		blocked, w, err := k.t.Blocked(ctx, k.key, now)
		if err != nil {
			return false, 0, err
		}
		if blocked {
			blockedAny, wait = true, max(wait, w)
		}
	}
	if blockedAny {
		return false, max(wait, time.Second), nil
	}
	for _, k := range keys {
		if err := k.t.Fail(ctx, k.key, now); err != nil { // "fail" spends one attempt; here every attempt counts
			return false, 0, err
		}
	}
	return true, 0, nil
}
