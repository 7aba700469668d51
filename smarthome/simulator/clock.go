package simulator

import (
	"sync"
	"time"
)

// Clock is the simulator's only source of time: command delays, code syncing, heartbeats, schedules, token expiry and
// webhook activity_time all read it, so a test can move a whole portfolio through days in milliseconds.
type Clock interface {
	Now() time.Time
}

// realClock is the wall clock, used when Options.Clock is nil.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// FakeClock is a Clock that only moves when told to. It is safe for concurrent use and may be shared by several
// simulators.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	changed chan struct{}
}

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, changed: make(chan struct{})}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is ignored: simulated time never runs backwards) and wakes every
// simulator watching it.
func (c *FakeClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// Changed returns a channel that is closed the next time the clock moves. Take the channel before reading the time, so
// a move in between is not missed.
func (c *FakeClock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// changeNotifier is implemented by clocks that can say when they moved (FakeClock); the background loop waits on it
// instead of on timers, which would never fire for a fake clock.
type changeNotifier interface {
	Changed() <-chan struct{}
}

// advancer is implemented by clocks that tests may move (FakeClock).
type advancer interface {
	Advance(d time.Duration)
}
