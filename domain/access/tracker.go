package access

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Tracker limits: a code in flight is re-read 1 s after it was sent, then at doubling intervals up to trackEvery,
// for at most trackFor after the last reason to watch it (an action, a page load, a webhook). A lock that never
// answers stays "setting" in the mirror; the next page load or sync picks it up again.
const (
	trackFirst = time.Second
	trackEvery = 5 * time.Second
	trackFor   = 10 * time.Minute
	trackCap   = 500 // codes watched at once; beyond this a page load or sync catches up
	trackRate  = 5   // upstream reads per second, all codes together
	trackFails = 5   // consecutive failed reads after which the tracker stops (the upstream or the store is gone)
)

// Tracker re-reads codes in flight (setting, removing) until every lock has answered, so their state converges
// without webhooks; a webhook about a lock only makes the re-read come sooner. Its Run loop sleeps on one timer set
// for the next due code, and Track or Poke wake it to set the timer again. An idle dashboard polls nothing.
type Tracker struct {
	logger  *slog.Logger
	refresh func(ctx context.Context, id string) (settled bool, err error)
	limiter *rate.Limiter
	wake    chan struct{} // one pending wake-up: the codes changed, the timer is set again

	mu    sync.Mutex
	codes map[string]*tracked
	fails int // consecutive failed reads
}

type tracked struct {
	next  time.Time
	every time.Duration
	until time.Time
}

func newTracker(logger *slog.Logger, refresh func(context.Context, string) (bool, error)) *Tracker {
	return &Tracker{logger: logger, refresh: refresh, codes: map[string]*tracked{}, wake: make(chan struct{}, 1),
		limiter: rate.NewLimiter(trackRate, trackRate)}
}

// Track watches codes that were just sent or found in flight: first re-read in trackFirst.
func (t *Tracker) Track(ids ...string) { t.add(trackFirst, ids) }

// Poke re-reads codes as soon as possible (a lock reported something about them).
func (t *Tracker) Poke(ids ...string) { t.add(0, ids) }

func (t *Tracker) add(after time.Duration, ids []string) {
	if len(ids) == 0 {
		return
	}
	now := time.Now()
	t.mu.Lock()
	for _, id := range ids {
		tc, ok := t.codes[id]
		if !ok {
			if len(t.codes) >= trackCap {
				continue
			}
			tc = &tracked{next: now.Add(after)}
			t.codes[id] = tc
		}
		if next := now.Add(after); next.Before(tc.next) {
			tc.next = next
		}
		tc.every, tc.until = trackFirst, now.Add(trackFor)
	}
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run re-reads due codes until ctx ends. A wake-up during a round is kept: the timer is set again once it ends.
// (Since Go 1.23 a timer's Reset and Stop leave no stale tick to drain.)
func (t *Tracker) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if wait, ok := t.nextWait(); ok {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		case <-timer.C:
			t.round(ctx)
		}
	}
}

// nextWait is how long until the earliest due code; false when nothing is watched.
func (t *Tracker) nextWait() (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var next time.Time
	for _, tc := range t.codes {
		if next.IsZero() || tc.next.Before(next) {
			next = tc.next
		}
	}
	return max(time.Until(next), 0), !next.IsZero()
}

// round re-reads every due code, one after the other under the rate limit.
func (t *Tracker) round(ctx context.Context) {
	t.mu.Lock()
	now := time.Now()
	var due []string
	for id, tc := range t.codes {
		if !tc.next.After(now) {
			due = append(due, id)
		}
	}
	t.mu.Unlock()
	for _, id := range due {
		if t.limiter.Wait(ctx) != nil {
			return // shutting down
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		settled, err := t.refresh(cctx, id)
		cancel()
		if ctx.Err() != nil {
			return // shutting down: the read was cut short, not failed
		}
		if err != nil {
			t.logger.LogAttrs(ctx, slog.LevelWarn, "lock-code check failed",
				slog.String("code_id", id), slog.Any("err", err))
		}
		if !t.done(id, settled, err) {
			break
		}
	}
}

// done records one check; it returns false after trackFails failures in a row, having forgotten every code (the
// upstream or the store is gone; pages and syncs hand codes back when they answer again).
func (t *Tracker) done(id string, settled bool, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		if t.fails++; t.fails >= trackFails {
			t.fails = 0
			clear(t.codes)
			return false
		}
	} else {
		t.fails = 0
	}
	tc, ok := t.codes[id]
	if !ok {
		return true
	}
	now := time.Now()
	if settled || now.After(tc.until) {
		delete(t.codes, id)
		return true
	}
	tc.every = min(tc.every*2, trackEvery)
	tc.next = now.Add(tc.every)
	return true
}

// Watching reports how many codes are tracked (tests, and to see a tracker drain).
func (t *Tracker) Watching() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.codes)
}

// NextCheck reports when the code is due to be re-read next; false when it is not watched (tests).
func (t *Tracker) NextCheck(id string) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tc, ok := t.codes[id]
	if !ok {
		return time.Time{}, false
	}
	return tc.next, true
}
