package handlers

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers/live"
)

// Defaults for the zero CommandOptions fields. The upstream applies commands after a few seconds (openly waits 8 s
// and re-reads 3 times): the first re-read comes a little after that delay, then one every CheckEvery, until
// Timeout fails the command.
const (
	DefaultCommandTimeout    = 60 * time.Second
	DefaultCommandCheckAfter = 4 * time.Second
	DefaultCommandCheckEvery = 8 * time.Second
	DefaultCommandWorkers    = 4
)

// CommandOptions tunes a CommandTracker. Zero fields take the defaults.
type CommandOptions struct {
	Timeout    time.Duration // a command unconfirmed this long after it was sent fails
	CheckAfter time.Duration // first re-read of the device (or the hub's MQTT response) after sending
	CheckEvery time.Duration // later re-reads
	Workers    int           // upstream reads in parallel during one sweep
}

func (o CommandOptions) withDefaults() CommandOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultCommandTimeout
	}
	if o.CheckAfter <= 0 {
		o.CheckAfter = DefaultCommandCheckAfter
	}
	if o.CheckEvery <= 0 {
		o.CheckEvery = DefaultCommandCheckEvery
	}
	if o.Workers <= 0 {
		o.Workers = DefaultCommandWorkers
	}
	return o
}

// CommandTracker turns pending command records into succeeded or failed ones: it re-reads each device's state (a
// hub's MQTT response for hub commands) through the client until the asked-for state shows or the timeout passes,
// and takes confirmations from the webhook receiver's observations in between. It keeps no state a restart would
// lose: on start it resumes (or times out) the records left pending.
type CommandTracker struct {
	logger *slog.Logger
	store  *db.Store
	up     *upstream.API
	notify commandNotifier
	opts   CommandOptions
	now    func() time.Time

	wake chan struct{}            // a new pending record
	seen chan observe.Observation // webhook observations, handed over without blocking the receiver

	mu   sync.Mutex
	next map[int64]time.Time // when each pending record is due for its next check

	// What an observation can concern: the devices ("d:" id) and hubs ("h:" id, hub-level records) with pending
	// records, as of a read of them that began at generation watchGen. Track moves gen, so until a read begun
	// after it every observation is passed on and a record just sent is never missed. Without this filter every
	// webhook would cost the tracker two database reads, almost always for nothing.
	gen      atomic.Uint64
	watchMu  sync.RWMutex
	watch    map[string]bool
	watchGen uint64
}

// NewCommandTracker returns a tracker; Run starts it.
func NewCommandTracker(logger *slog.Logger, store *db.Store, up *upstream.API, broker *live.Broker, opts CommandOptions) *CommandTracker {
	t := &CommandTracker{logger: logger.With(slog.String("component", "commands")), store: store, up: up,
		notify: commandNotifier{logger: logger, store: store, broker: broker}, opts: opts.withDefaults(),
		now: func() time.Time { return time.Now().UTC() }, wake: make(chan struct{}, 1),
		seen: make(chan observe.Observation, 256), next: map[int64]time.Time{}}
	t.gen.Store(1) // watchGen 0: no read yet, every observation passes
	return t
}

// Track tells the tracker a record was just sent. Safe on a nil tracker (the record then waits for the next start).
func (t *CommandTracker) Track() {
	if t == nil {
		return
	}
	t.gen.Add(1)
	select {
	case t.wake <- struct{}{}:
	default: // a wake-up is already queued
	}
}

// Observe takes a webhook observation; it never blocks the receiver. An observation dropped when the queue is full
// costs only latency: the periodic re-read still sees the state.
func (t *CommandTracker) Observe(_ context.Context, ob observe.Observation) {
	if t == nil || (ob.DeviceID == "" && ob.HubID == "") || !t.concerns(ob) {
		return
	}
	select {
	case t.seen <- ob:
	default:
		t.logger.Debug("command observation dropped", slog.String("device_id", ob.DeviceID))
	}
}

// concerns reports whether ob may settle a pending record: what observe would look up (the device's records, or
// the hub's own when the event names no device) has one, or the tracker cannot tell.
func (t *CommandTracker) concerns(ob observe.Observation) bool {
	t.watchMu.RLock()
	defer t.watchMu.RUnlock()
	if t.watchGen != t.gen.Load() {
		return true
	}
	if ob.DeviceID != "" {
		return t.watch["d:"+ob.DeviceID]
	}
	return t.watch["h:"+ob.HubID]
}

// setWatch records the pending records read by a read that began at generation gen. A list cut at the read's
// limit may miss some: the filter then stays off.
func (t *CommandTracker) setWatch(pending []db.Command, gen uint64) {
	watch := make(map[string]bool, len(pending))
	for _, c := range pending {
		if c.DeviceID != "" {
			watch["d:"+c.DeviceID] = true
		} else {
			watch["h:"+c.HubID] = true
		}
	}
	if len(pending) >= db.MaxCommandLimit {
		gen = 0
	}
	t.watchMu.Lock()
	t.watch, t.watchGen = watch, gen
	t.watchMu.Unlock()
}

// Run confirms or times out pending records until ctx ends.
func (t *CommandTracker) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-t.wake:
		case ob := <-t.seen:
			t.observe(ctx, ob)
		}
		timer.Reset(t.sweep(ctx))
	}
}

// cmdIdleWait bounds how long the loop sleeps with nothing due: records written while the tracker was not told
// (another process sharing the database) are still picked up.
const cmdIdleWait = 30 * time.Second

// sweep checks every pending record that is due and returns how long to wait for the next one.
func (t *CommandTracker) sweep(ctx context.Context) time.Duration {
	pending, err := t.store.PendingCommands(ctx, db.MaxCommandLimit)
	if err != nil {
		if ctx.Err() == nil {
			t.logger.Warn("read pending commands", slog.Any("err", err))
		}
		return t.opts.CheckEvery
	}
	now := t.now()
	devices, hubs := map[string][]db.Command{}, map[string][]db.Command{}
	t.mu.Lock()
	alive := make(map[int64]bool, len(pending))
	for _, c := range pending {
		alive[c.ID] = true
		if t.dueAt(c).After(now) {
			continue
		}
		if c.DeviceID != "" {
			devices[c.DeviceID] = append(devices[c.DeviceID], c)
		} else {
			hubs[c.HubID] = append(hubs[c.HubID], c)
		}
	}
	for id := range t.next {
		if !alive[id] {
			delete(t.next, id)
		}
	}
	t.mu.Unlock()
	t.checkAll(ctx, devices, hubs)
	return t.nextWait(ctx)
}

// nextWait is how long until the earliest pending record is due, read again after a sweep's checks.
func (t *CommandTracker) nextWait(ctx context.Context) time.Duration {
	gen := t.gen.Load()
	pending, err := t.store.PendingCommands(ctx, db.MaxCommandLimit)
	if err != nil {
		return t.opts.CheckEvery
	}
	t.setWatch(pending, gen)
	wait, now := cmdIdleWait, t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range pending {
		wait = min(wait, max(t.dueAt(c).Sub(now), 10*time.Millisecond))
	}
	return wait
}

// dueAt is when c is next checked: its scheduled time, or CheckAfter after it was sent, never after its deadline.
// Callers hold t.mu.
func (t *CommandTracker) dueAt(c db.Command) time.Time {
	due, ok := t.next[c.ID]
	if !ok {
		due = c.CreatedAt.Add(t.opts.CheckAfter)
	}
	return cmdMinTime(due, t.deadline(c))
}

func (t *CommandTracker) deadline(c db.Command) time.Time { return c.CreatedAt.Add(t.opts.Timeout) }

// reschedule sets the next check of a record that stays pending.
func (t *CommandTracker) reschedule(c db.Command, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next[c.ID] = now.Add(t.opts.CheckEvery)
}

// checkAll reads each due device and hub once, a few at a time.
func (t *CommandTracker) checkAll(ctx context.Context, devices, hubs map[string][]db.Command) {
	sem := make(chan struct{}, t.opts.Workers)
	var wg sync.WaitGroup
	run := func(fn func()) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn()
		})
	}
	for id, cs := range devices {
		run(func() { t.checkDevice(ctx, id, cs) })
	}
	for id, cs := range hubs {
		run(func() { t.checkHub(ctx, id, cs) })
	}
	wg.Wait()
}

// finish ends a record once and publishes the change; it reports whether this call ended it.
func (t *CommandTracker) finish(ctx context.Context, c db.Command, status, reason, result string) bool {
	done, changed, err := t.store.FinishCommand(ctx, c.ID, status, reason, result, t.now())
	if err != nil {
		if ctx.Err() == nil {
			t.logger.Error("finish command", slog.Int64("command_id", c.ID), slog.Any("err", err))
		}
		return false
	}
	t.mu.Lock()
	delete(t.next, c.ID)
	t.mu.Unlock()
	if changed {
		t.logger.Info("command finished", slog.Int64("command_id", c.ID), slog.String("action", c.Action),
			slog.String("status", status))
		t.notify.listChanged(ctx, done)
	}
	return changed
}

// cmdUpstreamRead bounds one re-read, so a hung upstream cannot stall the sweep.
const cmdUpstreamRead = 15 * time.Second

func cmdReadCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmdUpstreamRead)
}

func cmdMinTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// noConfirmation is the reason of a command that timed out.
func (t *CommandTracker) noConfirmation(what string) string {
	return "No confirmation from the " + what + " within " + t.opts.Timeout.String() +
		". It may be offline or out of reach; check it and send the command again."
}
