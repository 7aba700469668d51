package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Tracker limits: a code in flight is re-read 1 s after it was sent, then at doubling intervals up to lcTrackEvery,
// for at most lcTrackFor after the last reason to watch it (an action, a page load, a webhook). A lock that never
// answers stays "setting" in the mirror; the next page load or sync picks it up again.
const (
	lcTrackFirst = time.Second
	lcTrackEvery = 5 * time.Second
	lcTrackFor   = 10 * time.Minute
	lcTrackCap   = 500 // codes watched at once; beyond this a page load or sync catches up
	lcTrackRate  = 5   // upstream reads per second, all codes together
	lcTrackFails = 5   // consecutive failed reads after which the tracker stops (the upstream or the store is gone)
)

// lcTracker re-reads codes in flight (setting, removing) until every lock has answered, so their state converges
// without webhooks; a webhook about a lock only makes the re-read come sooner. It holds no goroutine while it waits:
// one timer (time.AfterFunc) is armed for the next due code, and each firing checks what is due, then re-arms.
// An idle dashboard polls nothing, and a server that goes away leaves no worker behind.
type lcTracker struct {
	svc     *lockCodeService
	limiter *rate.Limiter

	mu    sync.Mutex
	codes map[string]*lcTracked
	timer *time.Timer // nil until the first code is watched
	busy  bool        // a check round is running; it re-arms the timer when it ends
	fails int         // consecutive failed reads
}

type lcTracked struct {
	next  time.Time
	every time.Duration
	until time.Time
}

func newLCTracker(svc *lockCodeService) *lcTracker {
	return &lcTracker{svc: svc, codes: map[string]*lcTracked{}, limiter: rate.NewLimiter(lcTrackRate, lcTrackRate)}
}

// track watches codes that were just sent or found in flight: first re-read in lcTrackFirst.
func (t *lcTracker) track(ids ...string) { t.add(lcTrackFirst, ids) }

// poke re-reads codes as soon as possible (a lock reported something about them).
func (t *lcTracker) poke(ids ...string) { t.add(0, ids) }

func (t *lcTracker) add(after time.Duration, ids []string) {
	if len(ids) == 0 {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		tc, ok := t.codes[id]
		if !ok {
			if len(t.codes) >= lcTrackCap {
				continue
			}
			tc = &lcTracked{next: now.Add(after)}
			t.codes[id] = tc
		}
		if next := now.Add(after); next.Before(tc.next) {
			tc.next = next
		}
		tc.every, tc.until = lcTrackFirst, now.Add(lcTrackFor)
	}
	t.armLocked()
}

// armLocked sets the timer for the earliest due code, unless a round is running (it re-arms when it ends).
func (t *lcTracker) armLocked() {
	if t.busy || len(t.codes) == 0 {
		return
	}
	var next time.Time
	for _, tc := range t.codes {
		if next.IsZero() || tc.next.Before(next) {
			next = tc.next
		}
	}
	wait := max(time.Until(next), 0)
	if t.timer == nil {
		t.timer = time.AfterFunc(wait, t.round)
		return
	}
	t.timer.Reset(wait)
}

// round re-reads every due code, one after the other under the rate limit, then re-arms the timer.
func (t *lcTracker) round() {
	t.mu.Lock()
	if t.busy {
		t.mu.Unlock()
		return
	}
	t.busy = true
	now := time.Now()
	var due []string
	for id, tc := range t.codes {
		if !tc.next.After(now) {
			due = append(due, id)
		}
	}
	t.mu.Unlock()
	for _, id := range due {
		_ = t.limiter.Wait(context.Background()) // cannot fail without a deadline
		ctx, cancel := context.WithTimeout(context.Background(), lockCodeCallTimeout)
		settled, err := t.svc.refreshCode(ctx, id)
		cancel()
		if err != nil {
			t.svc.d.Logger.LogAttrs(context.Background(), slog.LevelWarn, "lock-code check failed",
				slog.String("code_id", id), slog.Any("err", err))
		}
		if !t.done(id, settled, err) {
			break
		}
	}
	t.mu.Lock()
	t.busy = false
	t.armLocked()
	t.mu.Unlock()
}

// done records one check; it returns false after lcTrackFails failures in a row, having forgotten every code (the
// upstream or the store is gone; pages and syncs hand codes back when they answer again).
func (t *lcTracker) done(id string, settled bool, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		if t.fails++; t.fails >= lcTrackFails {
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
	tc.every = min(tc.every*2, lcTrackEvery)
	tc.next = now.Add(tc.every)
	return true
}

// watching reports how many codes are tracked (tests).
func (t *lcTracker) watching() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.codes)
}

// lcPersonLimiter bounds how often one person may reveal codes or issue one-off codes: a stolen session cannot dump
// every PIN. 10 a minute, bursts of 10.
type lcPersonLimiter struct {
	mu   sync.Mutex
	byID map[int64]*rate.Limiter
}

func newLCPersonLimiter() *lcPersonLimiter { return &lcPersonLimiter{byID: map[int64]*rate.Limiter{}} }

func (l *lcPersonLimiter) allow(userID int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byID[userID]
	if !ok {
		if len(l.byID) > 10_000 { // bounded: forget everyone rather than grow without end
			clear(l.byID)
		}
		lim = rate.NewLimiter(rate.Every(6*time.Second), 10)
		l.byID[userID] = lim
	}
	return lim.Allow()
}
