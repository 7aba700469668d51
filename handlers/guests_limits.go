package handlers

import (
	"time"

	"github.com/keyless/dashboard/domain/throttle"
)

// Rate limits of the guest pages (ASVS 6.3.1, 11.5.1): per link (keyed by the token's hash, so unknown tokens are
// limited too) and per address. Buckets refill steadily; the burst is the allowance after a quiet spell.
const (
	guestOpensPerLink    = 30 // opens per hour per link
	guestOpensPerAddress = 60 // burst per address, then one every 30 s
	guestUnlocksPerLink  = 5  // unlock presses per 15 minutes per link
	guestUnlocksPerAddr  = 10 // unlock presses per 15 minutes per address
)

// guestLimits are the token buckets of the guest pages, and one more that keeps a blocked client from filling the
// audit log: a rate-limit hit is audited at most once per key every ten minutes.
type guestLimits struct {
	opens, opensByAddr, unlocks, unlocksByAddr, reports *throttle.Limiter
}

func newGuestLimits() guestLimits {
	return guestLimits{
		opens:         throttle.New(time.Hour/guestOpensPerLink, guestOpensPerLink),
		opensByAddr:   throttle.New(30*time.Second, guestOpensPerAddress),
		unlocks:       throttle.New(15*time.Minute/guestUnlocksPerLink, guestUnlocksPerLink),
		unlocksByAddr: throttle.New(15*time.Minute/guestUnlocksPerAddr, guestUnlocksPerAddr),
		reports:       throttle.New(10*time.Minute, 1),
	}
}

// guestLimitKey is one bucket of one throttle.
type guestLimitKey struct {
	t   *throttle.Limiter
	key string
}

// guestTake spends one attempt from every bucket, or none when any is empty; wait is then how long until they all have
// one again.
func guestTake(now time.Time, keys ...guestLimitKey) (ok bool, wait time.Duration) {
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

// shouldReport reports whether a rate-limit hit on key is the first in ten minutes, and so worth an audit record.
func (g guestLimits) shouldReport(key string, now time.Time) bool {
	ok, _ := guestTake(now, guestLimitKey{g.reports, key})
	return ok
}
