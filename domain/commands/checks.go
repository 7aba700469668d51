package commands

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

// Results of a record the tracker confirmed, as its card shows them: by a re-read of the device, or by the
// device's own webhook.
const (
	ResultByState   = "Confirmed: the device reports the new state."
	ResultByWebhook = "Confirmed by the device's own report."
)

// Reasons of a record the tracker failed other than by its timeout.
const (
	reasonSuperseded = "Superseded: a later command to this device was confirmed before this one was."
	reasonGone       = "The Smart Home service no longer knows this device or hub."
	reasonHubLater   = "Outcome unknown: the hub answered a later command, and the service keeps only its last answer."
)

// checkDevice re-reads one device and settles its due records (oldest first): the state shows what a record
// asked for → succeeded; a newer record succeeded first → failed as superseded; the deadline passed → failed;
// otherwise it stays pending until the next check.
func (t *Tracker) checkDevice(ctx context.Context, deviceID string, cmds []db.Command) {
	rctx, cancel := readCtx(ctx)
	dev, err := t.up.DeviceState(rctx, deviceID)
	cancel()
	if ctx.Err() != nil {
		return
	}
	now := t.now()
	if err != nil {
		t.readFailed(ctx, cmds, err, now, "device")
		return
	}
	ok := make([]bool, len(cmds))
	newestOK := -1
	for i, c := range cmds {
		if ok[i] = commandSatisfied(ParseSpec(c.Command), dev.Status); ok[i] {
			newestOK = i
		}
	}
	confirmed := false
	for i, c := range cmds {
		switch {
		case ok[i]:
			confirmed = t.finish(ctx, c, db.CommandSucceeded, "", ResultByState) || confirmed
		case i < newestOK:
			t.finish(ctx, c, db.CommandFailed, reasonSuperseded, "")
		case !now.Before(t.deadline(c)):
			t.finish(ctx, c, db.CommandFailed, t.noConfirmation("device"), "")
		default:
			t.reschedule(c, now)
		}
	}
	if confirmed {
		t.refreshMirror(ctx, dev)
	}
}

// readFailed settles records whose re-read failed: a device or hub the upstream no longer knows fails them at once,
// any other error only once their deadline has passed.
func (t *Tracker) readFailed(ctx context.Context, cmds []db.Command, err error, now time.Time, what string) {
	gone := errors.Is(err, smarthome.ErrNotFound) && what == "device"
	t.logger.Info("command re-read failed", slog.String("what", what), slog.Any("err", err))
	for _, c := range cmds {
		switch {
		case gone:
			t.finish(ctx, c, db.CommandFailed, reasonGone, "")
		case !now.Before(t.deadline(c)):
			t.finish(ctx, c, db.CommandFailed, t.noConfirmation(what), "")
		default:
			t.reschedule(c, now)
		}
	}
}

// checkHub reads a hub's MQTT response, which answers the last hub command: the record it names succeeds or fails
// with the hub's message; older records can no longer learn their own answer.
func (t *Tracker) checkHub(ctx context.Context, hubID string, cmds []db.Command) {
	rctx, cancel := readCtx(ctx)
	m, err := t.up.HubMQTTResponse(rctx, hubID)
	cancel()
	if ctx.Err() != nil {
		return
	}
	now := t.now()
	if err != nil && !errors.Is(err, smarthome.ErrNotFound) { // 404: the hub has answered nothing yet
		t.readFailed(ctx, cmds, err, now, "hub")
		return
	}
	answered := -1
	for i, c := range cmds {
		if m != nil && c.UpstreamID != "" && c.UpstreamID == m.CommandID {
			answered = i
		}
	}
	changed := false
	for i, c := range cmds {
		switch {
		case i == answered && m.Response.Status == "ok":
			changed = t.finish(ctx, c, db.CommandSucceeded, "", "The hub answered: "+m.Response.Message) || changed
		case i == answered:
			changed = t.finish(ctx, c, db.CommandFailed, "The hub answered with an error: "+m.Response.Message, "") || changed
		case i < answered && c.UpstreamID != "":
			t.finish(ctx, c, db.CommandFailed, reasonHubLater, "")
		case !now.Before(t.deadline(c)):
			t.finish(ctx, c, db.CommandFailed, t.noConfirmation("hub"), "")
		default:
			t.reschedule(c, now)
		}
	}
	if changed {
		if hub, err := t.store.Hub(ctx, hubID); err == nil {
			t.notify.MQTTChanged(ctx, hub, m)
		}
	}
}

// refreshMirror stores what the upstream reported, so pages show the new state, and pushes the state panel.
func (t *Tracker) refreshMirror(ctx context.Context, d *smarthome.Device) {
	hub, err := t.store.Hub(ctx, d.HubID)
	if err != nil {
		t.logger.Info("mirror refresh skipped: hub not mirrored", slog.String("device_id", d.ID), slog.Any("err", err))
		return
	}
	dev := mirror.Device(*d, hub)
	dev.StateChangedAt = t.now()
	if err := t.store.UpsertDevice(ctx, dev); err != nil {
		t.logger.Warn("mirror refresh", slog.String("device_id", d.ID), slog.Any("err", err))
		return
	}
	if stored, err := t.store.Device(ctx, d.ID); err == nil {
		t.notify.DeviceChanged(ctx, stored)
	}
}

// observe handles one webhook observation: an event that by itself proves a pending command took effect settles
// it at once; any event of a device or hub with pending records makes them due for a re-read now.
func (t *Tracker) observe(ctx context.Context, ob observe.Observation) {
	cmds, err := t.store.PendingCommandsFor(ctx, ob.HubID, ob.DeviceID)
	if err != nil || len(cmds) == 0 {
		return
	}
	var settled []db.Command
	if ob.DeviceID != "" {
		for _, c := range cmds {
			kind := confirmingKind(ob.DeviceType, ParseSpec(c.Command))
			// The event must not predate the command (a skew allowance covers clocks that disagree a little).
			if kind != "" && string(kind) == ob.Kind && !ob.At.Before(c.CreatedAt.Add(-2*time.Second)) {
				if t.finish(ctx, c, db.CommandSucceeded, "", ResultByWebhook) {
					settled = append(settled, c)
				}
			}
		}
	}
	now := t.now()
	t.mu.Lock()
	for _, c := range cmds {
		if !slices.ContainsFunc(settled, func(s db.Command) bool { return s.ID == c.ID }) {
			t.next[c.ID] = now
		}
	}
	t.mu.Unlock()
	t.poke()              // the sweep loop re-reads the records left pending now (on the leader: its own next sweep)
	if len(settled) > 0 { // read the device anyway: the mirror and its page should show the new state
		rctx, cancel := readCtx(ctx)
		d, err := t.up.DeviceState(rctx, ob.DeviceID)
		cancel()
		if err == nil {
			t.refreshMirror(ctx, d)
		}
	}
}
