package commands

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
)

// idleWait bounds how long the loop sleeps with nothing due: records written while the tracker was not told
// (another process sharing the database) are still picked up.
const idleWait = 30 * time.Second

// sharedIdleWait is idleWait on PostgreSQL, where records created by other instances are the rule: the leader
// reads the pending set this often (one indexed query), so a record's first re-read is at most this late.
const sharedIdleWait = 2 * time.Second

// sweep checks every pending record that is due and returns how long to wait for the next one.
func (t *Tracker) sweep(ctx context.Context) time.Duration {
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
func (t *Tracker) nextWait(ctx context.Context) time.Duration {
	gen := t.gen.Load()
	pending, err := t.store.PendingCommands(ctx, db.MaxCommandLimit)
	if err != nil {
		return t.opts.CheckEvery
	}
	t.setWatch(pending, gen)
	wait, now := t.idle, t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range pending {
		wait = min(wait, max(t.dueAt(c).Sub(now), 10*time.Millisecond))
	}
	return wait
}

// dueAt is when c is next checked: its scheduled time, or CheckAfter after it was sent, never after its deadline.
// Callers hold t.mu.
func (t *Tracker) dueAt(c db.Command) time.Time {
	due, ok := t.next[c.ID]
	if !ok {
		due = c.CreatedAt.Add(t.opts.CheckAfter)
	}
	return earlier(due, t.deadline(c))
}

func (t *Tracker) deadline(c db.Command) time.Time { return c.CreatedAt.Add(t.opts.Timeout) }

// reschedule sets the next check of a record that stays pending.
func (t *Tracker) reschedule(c db.Command, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next[c.ID] = now.Add(t.opts.CheckEvery)
}

// checkAll reads each due device and hub once, a few at a time.
func (t *Tracker) checkAll(ctx context.Context, devices, hubs map[string][]db.Command) {
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
func (t *Tracker) finish(ctx context.Context, c db.Command, status, reason, result string) bool {
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
		t.notify.ListChanged(ctx, done)
	}
	return changed
}

// readTimeout bounds one re-read, so a hung upstream cannot stall the sweep.
const readTimeout = 15 * time.Second

func readCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, readTimeout)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// noConfirmation is the reason of a command that timed out.
func (t *Tracker) noConfirmation(what string) string {
	return "No confirmation from the " + what + " within " + t.opts.Timeout.String() +
		". It may be offline or out of reach; check it and send the command again."
}
