package commands

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// Defaults for the zero Options fields. The upstream applies commands after a few seconds (openly waits 8 s
// and re-reads 3 times): the first re-read comes a little after that delay, then one every CheckEvery, until
// Timeout fails the command.
const (
	DefaultTimeout    = 60 * time.Second
	DefaultCheckAfter = 4 * time.Second
	DefaultCheckEvery = 8 * time.Second
	DefaultWorkers    = 4
)

// Options tunes a Tracker. Zero fields take the defaults.
type Options struct {
	Timeout    time.Duration // a command unconfirmed this long after it was sent fails
	CheckAfter time.Duration // first re-read of the device (or the hub's MQTT response) after sending
	CheckEvery time.Duration // later re-reads
	Workers    int           // upstream reads in parallel during one sweep
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.CheckAfter <= 0 {
		o.CheckAfter = DefaultCheckAfter
	}
	if o.CheckEvery <= 0 {
		o.CheckEvery = DefaultCheckEvery
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	return o
}

// Notifier tells the open pages what a command's progress changed, after the database commit: the record's list,
// the device's state panel once the mirror holds the confirmed state, the hub's MQTT panel once it answered. It
// must not block for long: the tracker calls it from its sweep. Nothing it is handed holds a PIN or a master code.
type Notifier interface {
	ListChanged(ctx context.Context, c db.Command)                          // c was created or ended
	DeviceChanged(ctx context.Context, dev db.Device)                       // dev is the mirror's copy, just refreshed
	MQTTChanged(ctx context.Context, hub db.Hub, m *smarthome.MQTTResponse) // the hub answered a hub command
}

// Tracker turns pending command records into succeeded or failed ones: it re-reads each device's state (a
// hub's MQTT response for hub commands) through the client until the asked-for state shows or the timeout passes,
// and takes confirmations from the webhook receiver's observations in between. It keeps no state a restart would
// lose: on start it resumes (or times out) the records left pending.
type Tracker struct {
	logger *slog.Logger
	store  *db.Store
	up     *upstream.API
	notify Notifier
	opts   Options
	now    func() time.Time

	wake chan struct{}            // a new pending record
	seen chan observe.Observation // webhook observations, handed over without blocking the receiver

	mu   sync.Mutex
	next map[int64]time.Time // when each pending record is due for its next check

	// shared: the database is PostgreSQL, which other instances write to. Records created there never pass
	// through Track here, so the filter below cannot be kept by generations: RunObservations reads the pending
	// set itself, once per batch of queued observations, after they arrived (watch_shared.go). idle bounds the
	// sweeps' sleep, which is how the leader learns of records other instances created.
	shared bool
	idle   time.Duration

	// What an observation can concern: the devices ("d:" id) and hubs ("h:" id, hub-level records) with pending
	// records, as of a read of them that began at generation watchGen. Track moves gen, so until a read begun
	// after it every observation is passed on and a record just sent is never missed. Without this filter every
	// webhook would cost the tracker two database reads, almost always for nothing.
	gen      atomic.Uint64
	watchMu  sync.RWMutex
	watch    map[string]bool
	watchGen uint64
}

// NewTracker returns a tracker that tells notify (nil: nobody) what changed; Run starts it.
func NewTracker(logger *slog.Logger, store *db.Store, up *upstream.API, notify Notifier, opts Options) *Tracker {
	if notify == nil {
		notify = quiet{}
	}
	t := &Tracker{logger: logger.With(slog.String("component", "commands")), store: store, up: up,
		notify: notify, opts: opts.withDefaults(),
		now: func() time.Time { return time.Now().UTC() }, wake: make(chan struct{}, 1),
		seen: make(chan observe.Observation, 256), next: map[int64]time.Time{}}
	t.gen.Store(1) // watchGen 0: no read yet, every observation passes
	t.shared = store != nil && store.Dialect() == "postgres"
	t.idle = idleWait
	if t.shared {
		t.idle = sharedIdleWait
	}
	return t
}

// Track tells the tracker a record was just sent. Safe on a nil tracker (the record then waits for the next start).
func (t *Tracker) Track() {
	if t == nil {
		return
	}
	t.gen.Add(1)
	t.poke()
}

// Observe takes a webhook observation; it never blocks the receiver. An observation dropped when the queue is full
// costs only latency: the periodic re-read still sees the state.
func (t *Tracker) Observe(_ context.Context, ob observe.Observation) {
	if t == nil || (ob.DeviceID == "" && ob.HubID == "") || (!t.shared && !t.concerns(ob)) {
		return
	}
	select {
	case t.seen <- ob:
	default:
		t.logger.Debug("command observation dropped", slog.String("device_id", ob.DeviceID))
	}
}

// RunSweeps re-reads the devices and hubs of due pending records, confirming or timing them out, until ctx ends.
// It is a cluster's once-only work: on PostgreSQL only the leader runs it.
func (t *Tracker) RunSweeps(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-t.wake:
		}
		timer.Reset(t.sweep(ctx))
	}
}

// RunObservations settles pending records from the webhook observations this instance receives, until ctx ends.
// Every instance runs it: a webhook may reach any of them.
func (t *Tracker) RunObservations(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ob := <-t.seen:
			if t.shared {
				t.observeShared(ctx, ob)
			} else {
				t.observe(ctx, ob)
			}
		}
	}
}

// poke makes the sweep loop look at the records again now (an observation made one due).
func (t *Tracker) poke() {
	select {
	case t.wake <- struct{}{}:
	default: // a wake-up is already queued
	}
}

// quiet is the Notifier of a tracker nobody watches.
type quiet struct{}

func (quiet) ListChanged(context.Context, db.Command)                      {}
func (quiet) DeviceChanged(context.Context, db.Device)                     {}
func (quiet) MQTTChanged(context.Context, db.Hub, *smarthome.MQTTResponse) {}
