// Package throttle spends attempts per key (an address, an account, a guest link) from token buckets, so repeated
// failures slow down and good attempts do not.
package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter holds one token bucket per key (an address or an account). Only failures spend tokens, so a person who
// types their password right is never slowed down by it. Buckets idle for an hour are forgotten.
type Limiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// New returns a limiter that allows burst attempts per key, then one more each every.
func New(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// Blocked reports whether key has no attempt left, and how long until it has one.
func (t *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[key]
	if !ok || b.lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := b.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return true, wait
}

// Seen reports whether key has failed within the last hour or so (until the sweep forgets it).
func (t *Limiter) Seen(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.buckets[key]
	return ok
}

// Fail spends one attempt of key.
func (t *Limiter) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.swept) > time.Hour {
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
}
