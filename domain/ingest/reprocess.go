package ingest

import (
	"context"
	"crypto/sha256"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// Re-processing a webhook inbox entry. A delivery kept because it failed verification is not the upstream's word:
// anyone who can reach the receiver can send one, and a replay outside its window is old news. So re-processing
// one logs it as an unverified activity and changes nothing else (mirror, live marks, trackers, alerts); the row
// then says why it was rejected and offers to apply it, which takes a second step (Confirm). An entry whose sender
// was verified (only its body did not read, before a parser fix) is applied at once.

// Reprocess is the first step for a failed entry: its kept body becomes an activity (or finds the one its event
// already is), held unless the sender was verified. A body that still does not read is an *UnreadableError; an
// entry processed by someone else meanwhile is db.ErrConflict. The new row goes to the open pages, and to the
// observers when it was applied.
func (rx *Receiver) Reprocess(ctx context.Context, e db.InboxEntry, by string) (db.ReprocessResult, error) {
	ev, item, view, err := rx.reparse(ctx, e)
	if err != nil {
		return db.ReprocessResult{}, err
	}
	res, err := rx.store.ReprocessInbox(ctx, db.Reprocess{InboxID: e.ID, Activity: item.Activity,
		AltKeys: altKeys(ev, item.Activity, e.WebhookID), Body: e.Body, Live: item.Live, Apply: e.Verified,
		By: by, At: rx.now().UTC()})
	if err != nil || res.Duplicate {
		return res, err
	}
	view.ID, view.Reprocessed, view.Held = res.ActivityID, true, res.Held
	if !res.Held {
		rx.notify(ctx, view)
	}
	rx.publishActivity(ctx, view)
	rx.publishChanges(ctx, view, res.Hub, res.Device)
	return res, nil
}

// Confirm is the second step, for a processed entry whose activity is held: the admin saw why the delivery was
// rejected and vouches for it, so its change is applied to the mirror and told to the observers and open pages.
// Nothing held to apply is db.ErrConflict.
func (rx *Receiver) Confirm(ctx context.Context, e db.InboxEntry, by string) (db.ReprocessResult, error) {
	_, item, view, err := rx.reparse(ctx, e)
	if err != nil {
		return db.ReprocessResult{}, err
	}
	res, err := rx.store.ConfirmInbox(ctx, e.ID, item.Live, by, rx.now().UTC())
	if err != nil {
		return res, err
	}
	view.ID, view.Reprocessed = res.ActivityID, true
	rx.notify(ctx, view)
	rx.publishChanges(ctx, view, res.Hub, res.Device)
	return res, nil
}

// reparse reads the kept body again and builds what storing it would write, resolved against the mirror as it is
// now (not the receiver's cache), and keyed as a verified delivery of the same event would be: by its webhook-id
// when it carried one (a signing sender's retries share it), else by its bytes.
func (rx *Receiver) reparse(ctx context.Context, e db.InboxEntry) (*smarthome.Event, db.IngestItem, db.ActivityView, error) {
	ev, err := parse(e.Body)
	if err != nil {
		return nil, db.IngestItem{}, db.ActivityView{}, err
	}
	target, err := rx.store.ResolveTarget(ctx, ev.HubID, ev.DeviceID)
	if err != nil {
		return nil, db.IngestItem{}, db.ActivityView{}, err
	}
	a := authResult{ok: true, signedOrToken: e.Verified, signatureID: e.WebhookID}
	item, view := buildItem(ev, target, e.Body, a, rx.now().UTC())
	return ev, item, view, nil
}

// altKeys is the other key a verified delivery of the event may have: by its bytes, when it came with a token.
func altKeys(ev *smarthome.Event, a db.Activity, webhookID string) [][32]byte {
	if webhookID == "" {
		return nil
	}
	return [][32]byte{db.DedupeKey(a.At, sha256.Sum256(ev.Raw))}
}
