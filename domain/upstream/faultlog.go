package upstream

import (
	"context"
	"sync"
)

// maxLoggedFaults bounds the faults one request keeps: a page that reads many locks of a dead upstream says it a
// few times, not once per lock.
const maxLoggedFaults = 5

// FaultLog collects the upstream faults of one request. Many handlers answer a fault inside their own page (a form
// error, a failed command card) instead of returning it, so the log line is written where every request ends (the
// access log), which also knows the route and the status the person got.
type FaultLog struct {
	mu      sync.Mutex
	faults  []*Fault
	dropped int
}

type faultLogKey struct{}

// WithFaultLog returns ctx carrying l: every fault of a call made with that context is noted in l.
func WithFaultLog(ctx context.Context, l *FaultLog) context.Context {
	return context.WithValue(ctx, faultLogKey{}, l)
}

// noteFault adds f to the request's fault log. Background work (sync, trackers) has none and reports its own
// failures (the sync status, the records it settles).
func noteFault(ctx context.Context, f *Fault) {
	l, _ := ctx.Value(faultLogKey{}).(*FaultLog)
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.faults) >= maxLoggedFaults {
		l.dropped++
		return
	}
	l.faults = append(l.faults, f)
}

// Faults returns the faults kept and how many more were not kept.
func (l *FaultLog) Faults() (faults []*Fault, dropped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Fault(nil), l.faults...), l.dropped
}
