package stays

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keyless/dashboard/smarthome"
)

// CodeState is a lock code's state on each lock as the upstream last reported it. The PIN is never kept.
type CodeState struct {
	Gone    bool // the upstream no longer has the code: it is off every lock
	Devices []smarthome.LockCodeDevice
	Read    time.Time
}

// Removed reports whether the code is off every lock.
func (st CodeState) Removed() bool {
	if st.Gone {
		return true
	}
	for _, d := range st.Devices {
		if d.Status != smarthome.CodeRemoved {
			return false
		}
	}
	return len(st.Devices) > 0
}

// Reading is one code's state as just read, or why it could not be read.
type Reading struct {
	State CodeState
	Err   error
}

// Taken reports whether the code was read at all (the zero Reading: it was not asked for).
func (r Reading) Taken() bool { return r.Err != nil || !r.State.Read.IsZero() }

// CodeStates caches code states briefly: progress views poll every few seconds, from several browsers.
type CodeStates struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]CodeState
}

// NewCodeStates returns a cache whose entries are fresh for ttl.
func NewCodeStates(ttl time.Duration) *CodeStates {
	return &CodeStates{ttl: ttl, m: map[string]CodeState{}}
}

// Get returns a code's cached state and whether it is still fresh at now.
func (c *CodeStates) Get(id string, now time.Time) (CodeState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[id]
	return st, ok && now.Sub(st.Read) < c.ttl
}

// Put caches a code's state as read at st.Read.
func (c *CodeStates) Put(id string, st CodeState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 1000 { // forget expired entries before the map grows
		for k, v := range c.m {
			if st.Read.Sub(v.Read) >= c.ttl {
				delete(c.m, k)
			}
		}
	}
	c.m[id] = st
}

// Forget drops a code's cached state after the dashboard changed it, so the next read shows the change.
func (c *CodeStates) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// CodeState reads a lock code's per-lock state, through the cache.
func (s *Service) CodeState(ctx context.Context, id string) (CodeState, error) {
	now := s.now()
	if st, ok := s.codes.Get(id, now); ok {
		return st, nil
	}
	lc, err := s.up.CodeState(ctx, id)
	st := CodeState{Read: now}
	switch {
	case errors.Is(err, smarthome.ErrNotFound):
		st.Gone = true
	case err != nil:
		return CodeState{}, fmt.Errorf("lock code %s: %w", id, err)
	default:
		st.Devices = lc.Devices
	}
	s.codes.Put(id, st)
	return st, nil
}
