package stays

import (
	"time"

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

// NewGuestLimits returns fresh buckets.
func NewGuestLimits() *GuestLimits {
	return &GuestLimits{
		opens:         throttle.New(time.Hour/GuestOpensPerLink, GuestOpensPerLink),
		opensByAddr:   throttle.New(30*time.Second, GuestOpensPerAddress),
		unlocks:       throttle.New(15*time.Minute/GuestUnlocksPerLink, GuestUnlocksPerLink),
		unlocksByAddr: throttle.New(15*time.Minute/GuestUnlocksPerAddr, GuestUnlocksPerAddr),
		reports:       throttle.New(10*time.Minute, 1),
	}
}

// Open spends one page open of the link with this token hash from this address, or reports how long to wait.
func (g *GuestLimits) Open(tokenHash, addr string, now time.Time) (ok bool, wait time.Duration) {
	return take(now, limitKey{g.opens, tokenHash}, limitKey{g.opensByAddr, addr})
}

// Unlock spends one unlock press of the link with this token hash from this address, or reports how long to wait.
func (g *GuestLimits) Unlock(tokenHash, addr string, now time.Time) (ok bool, wait time.Duration) {
	return take(now, limitKey{g.unlocks, tokenHash}, limitKey{g.unlocksByAddr, addr})
}

// ShouldReport reports whether a rate-limit hit on key is the first in ten minutes, and so worth an audit record.
func (g *GuestLimits) ShouldReport(key string, now time.Time) bool {
	ok, _ := take(now, limitKey{g.reports, key})
	return ok
}

// limitKey is one bucket of one throttle.
type limitKey struct {
	t   *throttle.Limiter
	key string
}

// take spends one attempt from every bucket, or none when any is empty; wait is then how long until they all have
// one again.
func take(now time.Time, keys ...limitKey) (ok bool, wait time.Duration) {
	blockedAny := false
	for _, k := range keys {
		if blocked, w := k.t.Blocked(k.key, now); blocked {
			blockedAny, wait = true, max(wait, w)
		}
	}
	if blockedAny {
		return false, max(wait, time.Second)
	}
	for _, k := range keys {
		k.t.Fail(k.key, now) // "fail" spends one attempt; here every attempt counts
	}
	return true, 0
}
