// Package ingest turns webhook deliveries into the activity log and the mirror's live state. One delivery goes
// through it from end to end: verify (secrets, signatures, the inbox limit for unverified senders), parse, build
// the activity and its change to the mirror, resolve its hub and device, commit through the store's group commit,
// then tell the observers and the open pages. A delivery that is not an activity is kept in the webhook inbox,
// from which an admin may re-process it (reprocess.go).
package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

// Limits of what the receiver takes and keeps.
const (
	MaxBody        = 1 << 20  // bytes of a delivery: the documented deliveries are a few hundred bytes
	TooLargeHead   = 16 << 10 // bytes kept of a delivery over MaxBody
	unverifiedKeep = 64 << 10 // bytes kept of a delivery that failed authentication
)

// Options are a Receiver's collaborators and settings.
type Options struct {
	Store     *db.Store
	Logger    *slog.Logger
	Observers *observe.Observers // told of every applied activity (commands, lock codes); nil: nobody
	Publisher Publisher          // tells the open pages; nil: nobody
	Secrets   []string           // WEBHOOK_SECRET values; none: every delivery is accepted, unverified
	// Journal: a delivery is acknowledged once appended to the journal, and RunProjector (which the caller must
	// run) writes its activity behind it and announces it. Without it each delivery is written through at once
	// and announced by Announce: for harnesses that run no background job.
	Journal bool
}

// Receiver is the webhook pipeline behind POST /webhooks/smarthome and the inbox's re-process step. Safe for
// concurrent use; one per server, so the inbox limit and the target cache are shared by every delivery.
type Receiver struct {
	store     *db.Store
	logger    *slog.Logger
	observers *observe.Observers
	pub       Publisher
	auth      verifier
	limiter   *inboxLimiter
	targets   *targetCache
	journal   bool
	wake      chan struct{} // an append the projector has not looked for yet
	now       func() time.Time
}

// NewReceiver returns a Receiver for the given secrets.
func NewReceiver(o Options) *Receiver {
	return &Receiver{store: o.Store, logger: o.Logger, observers: o.Observers, pub: o.Publisher,
		auth: newVerifier(o.Secrets), limiter: newInboxLimiter(), targets: newTargetCache(o.Store), journal: o.Journal,
		wake: make(chan struct{}, 1), now: time.Now}
}

// Delivery is one POST to the receiver as the HTTP handler read it.
type Delivery struct {
	Body       []byte      // at most MaxBody+1 bytes: more than MaxBody means the body was over the limit
	Size       int64       // bytes the body had (over MaxBody: what the sender announced, when larger)
	Token      string      // the ?token= query parameter
	Header     http.Header // the Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature
	RemoteAddr string      // the sender's address, kept on inbox rows
}

// Result is what happened to a delivery.
type Result int

// The results of Receive.
const (
	Stored      Result = iota + 1 // a new activity: durable when Receive returns (in the journal, with Options.Journal)
	Duplicate                     // an event already in the log: nothing changed
	Kept                          // not an activity: kept in the inbox, for the reason in Outcome.Reason
	Refused                       // not kept: an unverified sender over the inbox limit
	Unavailable                   // not stored (the log or the inbox failed): the sender should retry
)

// Outcome is the receiver's verdict on a delivery: the HTTP handler maps it to a status and an answer.
type Outcome struct {
	Result Result
	ID     int64  // the activity (Stored, Duplicate) or the inbox row (Kept)
	Reason string // a db.Reason* value for a delivery that is not an activity (Kept, Refused, Unavailable from the inbox)

	committed *committed // what Announce tells, for Stored
}

// committed is a new activity, durable, for Announce.
type committed struct {
	view db.ActivityView
	res  db.IngestResult
}

// Receive verifies, parses and stores one delivery, or keeps it in the inbox, and says what happened. A stored
// delivery is durable when Receive returns; call Announce after answering the sender.
func (rx *Receiver) Receive(ctx context.Context, d Delivery) Outcome {
	a := rx.auth.check(d.Token, d.Header, d.Body, rx.now())
	if d.Size > MaxBody {
		return rx.keep(ctx, d, a, db.InboxEntry{Reason: db.ReasonTooLarge,
			Detail: "The body (" + strconv.FormatInt(d.Size, 10) + " bytes or more) is over the 1 MiB limit; its head was kept.",
			Body:   d.Body[:min(len(d.Body), TooLargeHead)], BodySize: d.Size, Truncated: true})
	}
	if !a.ok {
		keep := d.Body[:min(len(d.Body), unverifiedKeep)]
		return rx.keep(ctx, d, a, db.InboxEntry{Reason: a.reason, Detail: a.detail, Body: keep,
			BodySize: d.Size, Truncated: len(keep) < len(d.Body)})
	}
	ev, err := parse(d.Body)
	if err != nil {
		return rx.keep(ctx, d, a, db.InboxEntry{Reason: db.ReasonUnparseable, Detail: err.Error(),
			Body: d.Body, BodySize: d.Size})
	}
	return rx.commit(ctx, ev, d.Body, a)
}

// commit stores an accepted, parsed delivery: appends it to the journal, or (without Options.Journal) writes it
// through. The write is not cut short by the sender hanging up: it goes ahead, and what follows the commit
// (Announce) must happen with it.
func (rx *Receiver) commit(ctx context.Context, ev *smarthome.Event, body []byte, a authResult) Outcome {
	ctx = context.WithoutCancel(ctx)
	if rx.journal {
		return rx.append(ctx, ev, body, a)
	}
	return rx.writeThrough(ctx, ev, body, a)
}

// writeThrough resolves the delivery's target and writes its activity through the group commit at once.
func (rx *Receiver) writeThrough(ctx context.Context, ev *smarthome.Event, body []byte, a authResult) Outcome {
	now := rx.now()
	target, err := rx.targets.resolve(ctx, ev.HubID, ev.DeviceID, now)
	var res db.IngestResult
	var view db.ActivityView
	if err == nil {
		var item db.IngestItem
		item, view = buildItem(ev, target, body, a, now)
		res, err = rx.store.Ingest(ctx, item)
	}
	if err != nil {
		rx.logger.Error("webhook not stored", slog.String("message_type", clip.String(ev.MessageType, 60)), slog.Any("err", err))
		return Outcome{Result: Unavailable}
	}
	if res.Duplicate {
		return Outcome{Result: Duplicate, ID: res.ID}
	}
	view.ID = res.ID
	return Outcome{Result: Stored, ID: res.ID, committed: &committed{view: view, res: res}}
}

// append adds the delivery to the journal and wakes the projector. Only a verified retry of an activity held
// from the inbox takes the write-through path as well: it releases the hold there (db.Store.Ingest), which needs
// the activity's change to the mirror at once.
func (rx *Receiver) append(ctx context.Context, ev *smarthome.Event, body []byte, a authResult) Outcome {
	now := rx.now()
	item, _ := buildItem(ev, db.Target{}, body, a, now) // the target changes the row, never its key or validity
	err := db.CheckActivity(item.Activity)
	var res db.IngestResult
	if err == nil {
		res, err = rx.store.Append(ctx, db.JournalEntry{DedupeKey: item.Activity.DedupeKey, ReceivedAt: now, Body: body,
			Verified: a.signedOrToken, SignatureID: a.signatureID})
	}
	if err != nil {
		rx.logger.Error("webhook not stored", slog.String("message_type", clip.String(ev.MessageType, 60)), slog.Any("err", err))
		return Outcome{Result: Unavailable}
	}
	switch {
	case res.Held:
		return rx.writeThrough(ctx, ev, body, a)
	case res.Duplicate:
		return Outcome{Result: Duplicate, ID: res.ID}
	}
	rx.Wake()
	return Outcome{Result: Stored, ID: res.ID}
}

// Wake tells the projector that rows wait in the journal (another instance's appends, heard through the fan-out).
func (rx *Receiver) Wake() {
	select {
	case rx.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// keep stores a delivery that is not an activity in the inbox. Unverified senders are rate limited (the refused
// ones are counted and the count is stored on the next kept row). A delivery the inbox cannot store is
// Unavailable, so the sender retries: nothing is dropped silently.
func (rx *Receiver) keep(ctx context.Context, d Delivery, a authResult, e db.InboxEntry) Outcome {
	e.Verified, e.RemoteAddr, e.WebhookID = a.signedOrToken, d.RemoteAddr, clip.String(d.Header.Get(smarthome.HeaderWebhookID), 100)
	e.ReceivedAt = rx.now()
	if !e.Verified { // anyone can send these (no secret, or a wrong one): they must not fill the disk
		allowed, suppressed := rx.limiter.take(e.ReceivedAt)
		if !allowed {
			return Outcome{Result: Refused, Reason: e.Reason}
		}
		e.Suppressed = suppressed
	}
	id, err := rx.store.AddInbox(ctx, e)
	if err != nil {
		if !e.Verified {
			rx.limiter.unkeep(e.Suppressed)
		}
		rx.logger.Error("webhook inbox write failed", slog.String("reason", e.Reason), slog.Any("err", err))
		return Outcome{Result: Unavailable, Reason: e.Reason}
	}
	rx.logger.Warn("webhook kept in inbox", slog.Int64("inbox_id", id), slog.String("reason", e.Reason),
		slog.Bool("verified", e.Verified), slog.Int64("bytes", e.BodySize))
	return Outcome{Result: Kept, ID: id, Reason: e.Reason}
}

// Announce tells the rest of the dashboard about the new activity of a Stored outcome written through: the
// features waiting on hardware (the observers), then every open page (the publisher). A journaled delivery is
// announced by the projector instead, once its activity exists. It is called after the sender was answered, so
// the answer waits only for the commit; it goes ahead when the sender hangs up. Other outcomes announce nothing.
func (rx *Receiver) Announce(ctx context.Context, o Outcome) {
	if o.committed == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	rx.notify(ctx, o.committed.view)
	if !o.committed.res.Released { // a Released activity's row is not new
		rx.publishActivity(ctx, o.committed.view)
	}
	rx.publishChanges(ctx, o.committed.view, o.committed.res.Hub, o.committed.res.Device)
}

// Refused is how many unverified deliveries were refused without being kept since start, for the inbox page.
func (rx *Receiver) Refused() int64 { return rx.limiter.Refused() }
