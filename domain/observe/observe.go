// Package observe hands what the webhook receiver learned to the features that wait for hardware to confirm
// something: a command applied, a code set on a lock.
package observe

import (
	"context"
	"sync"
	"time"
)

// Observation is what the webhook receiver learned from one stored delivery, handed to the features that wait for
// hardware to confirm something (a command applied, a code set on a lock). It carries no PIN: webhooks never do.
type Observation struct {
	ActivityID  int64
	HubID       string
	DeviceID    string
	DeviceType  string
	MessageType string // verbatim, e.g. "Lock", "lock_code_added"
	Kind        string // smarthome.Kind of the event, e.g. "lock.locked"
	Details     string
	Actor       string // the webhook's User field
	At          time.Time
}

// Observers fans observations out to the features that registered for them. Observers run synchronously after the
// delivery is committed, so each must be quick and must not block (hand slow work to a goroutine).
type Observers struct {
	mu  sync.RWMutex
	fns []func(context.Context, Observation)
}

// Add registers fn.
func (o *Observers) Add(fn func(context.Context, Observation)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fns = append(o.fns, fn)
}

// Notify hands ob to every registered observer.
func (o *Observers) Notify(ctx context.Context, ob Observation) {
	if o == nil {
		return
	}
	o.mu.RLock()
	fns := o.fns
	o.mu.RUnlock()
	for _, fn := range fns {
		fn(ctx, ob)
	}
}
