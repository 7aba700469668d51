package handlers

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// Re-processing a webhook inbox entry. A delivery kept because it failed verification is not the upstream's word:
// anyone who can reach the receiver can send one, and a replay outside its window is old news. So re-processing
// one logs it as an unverified activity and changes nothing else (mirror, live marks, trackers, alerts); the row
// then says why it was rejected and offers to apply it, which takes a second POST with confirm=yes. An entry whose
// sender was verified (only its body did not read, before a parser fix) is applied at once. Every attempt is
// audited, saying whether it was a confirmation.

// handleInboxReprocess serves POST /inbox/{id}/reprocess: the first step for a failed entry, or with confirm=yes
// the second for a processed entry whose activity is held. A confirm field on a failed entry is not a
// confirmation: its reason has not been shown yet.
func handleInboxReprocess(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		e, err := d.Store.InboxEntryByID(r.Context(), id)
		if err != nil {
			return err
		}
		rp := &inboxReprocess{d: d, w: w, r: r, e: e, step: "not confirmed"}
		if e.Status == db.InboxProcessed && r.PostFormValue("confirm") == "yes" {
			rp.step = "confirmed"
			return rp.apply()
		}
		switch {
		case e.Status != db.InboxFailed:
			return rp.fail(http.StatusConflict, "This delivery was already processed.")
		case e.Truncated:
			return rp.fail(http.StatusUnprocessableEntity, "Only the head of this delivery was kept, so it cannot be read. Ask the sender to resend it.")
		}
		return rp.log()
	})
}

// inboxReprocess is one re-processing request of one entry.
type inboxReprocess struct {
	d    Deps
	w    http.ResponseWriter
	r    *http.Request
	e    db.InboxEntry
	step string // "confirmed" or "not confirmed", for the audit
}

// log is the first step: the entry becomes an activity (or finds the one its event already is).
func (rp *inboxReprocess) log() error {
	ctx := rp.r.Context()
	ev, item, view, ok, err := rp.parse()
	if !ok {
		return err
	}
	res, err := rp.d.Store.ReprocessInbox(ctx, db.Reprocess{InboxID: rp.e.ID, Activity: item.Activity,
		AltKeys: altKeys(ev, item.Activity, rp.e.WebhookID), Body: rp.e.Body, Live: item.Live, Apply: rp.e.Verified,
		By: currentUser(ctx).user.Email, At: nowUTC()})
	if errors.Is(err, db.ErrConflict) { // processed by someone else meanwhile: show it as it is now
		if rp.e, err = rp.d.Store.InboxEntryByID(ctx, rp.e.ID); err != nil {
			return err
		}
		return rp.fail(http.StatusConflict, "This delivery was already processed.")
	}
	if err != nil {
		return err
	}
	act := "activity " + strconv.FormatInt(res.ActivityID, 10)
	switch {
	case res.Duplicate:
		rp.audit(db.OutcomeOK, "already in the log as "+act+"; nothing stored or changed")
	case res.Held:
		rp.audit(db.OutcomeOK, act+" logged unverified; the mirror was not changed (rejected: "+rp.rejection()+")")
	default:
		rp.step = "no confirmation needed"
		rp.audit(db.OutcomeOK, act+" stored and applied (verified sender)")
	}
	if !res.Duplicate {
		view.ID, view.Reprocessed, view.Held = res.ActivityID, true, res.Held
		if !res.Held {
			notifyStored(ctx, rp.d, view)
		}
		publishIngest(ctx, rp.d, view, db.IngestResult{ID: res.ActivityID, Hub: res.Hub, Device: res.Device})
	}
	return rp.reply()
}

// apply is the second step: the admin saw why the delivery was rejected and vouches for it.
func (rp *inboxReprocess) apply() error {
	ctx := rp.r.Context()
	_, item, view, ok, err := rp.parse()
	if !ok {
		return err
	}
	res, err := rp.d.Store.ConfirmInbox(ctx, rp.e.ID, item.Live, currentUser(ctx).user.Email, nowUTC())
	if errors.Is(err, db.ErrConflict) {
		return rp.fail(http.StatusConflict, "Nothing to confirm: this event is already applied (confirmed before, or delivered verified).")
	}
	if err != nil {
		return err
	}
	rp.audit(db.OutcomeOK, "activity "+strconv.FormatInt(res.ActivityID, 10)+" applied to the mirror (rejected: "+rp.rejection()+")")
	view.ID, view.Reprocessed = res.ActivityID, true
	notifyStored(ctx, rp.d, view)
	publishChanges(ctx, rp.d, view, db.IngestResult{ID: res.ActivityID, Hub: res.Hub, Device: res.Device})
	return rp.reply()
}

// build resolves the event against the mirror and builds its activity, keyed as a verified delivery of the same
// event would be: by its webhook-id when it carried one (a signing sender's retries share it), else by its bytes.
// parse reads the kept body again and builds what storing it would write. ok is false when the caller must return
// err as it is: a build failure, or an unreadable body already answered with its 422 row (err nil).
func (rp *inboxReprocess) parse() (_ *smarthome.Event, _ db.IngestItem, _ db.ActivityView, ok bool, _ error) {
	ev, err := smarthome.ParseEvent(rp.e.Body)
	if err != nil {
		return nil, db.IngestItem{}, db.ActivityView{}, false, rp.fail(http.StatusUnprocessableEntity, parseDetail(err))
	}
	item, view, err := rp.build(ev)
	return ev, item, view, err == nil, err
}

func (rp *inboxReprocess) build(ev *smarthome.Event) (db.IngestItem, db.ActivityView, error) {
	target, err := rp.d.Store.ResolveTarget(rp.r.Context(), ev.HubID, ev.DeviceID)
	if err != nil {
		return db.IngestItem{}, db.ActivityView{}, err
	}
	a := authResult{ok: true, signedOrToken: rp.e.Verified, signatureID: rp.e.WebhookID}
	item, view := buildItem(ev, target, rp.e.Body, a, nowUTC())
	return item, view, nil
}

// altKeys is the other key a verified delivery of the event may have: by its bytes, when it came with a token.
func altKeys(ev *smarthome.Event, a db.Activity, webhookID string) [][32]byte {
	if webhookID == "" {
		return nil
	}
	return [][32]byte{db.DedupeKey(a.At, sha256.Sum256(ev.Raw))}
}

// rejection says why the receiver did not accept the delivery.
func (rp *inboxReprocess) rejection() string {
	return cmp.Or(inboxReasons[rp.e.Reason], rp.e.Reason) + ": " + rp.e.Detail
}

func (rp *inboxReprocess) audit(outcome, detail string) {
	audit(rp.r, rp.d.Store, rp.d.Logger, auditRecord{action: "webhook_inbox.reprocess", targetType: "webhook_inbox",
		targetID: strconv.FormatInt(rp.e.ID, 10), outcome: outcome, detail: rp.step + ": " + detail})
}

// fail audits a refused attempt and answers with the entry's row and msg. A failed entry keeps msg as its detail.
func (rp *inboxReprocess) fail(status int, msg string) error {
	rp.audit(db.OutcomeFailed, msg)
	if rp.e.Status == db.InboxFailed {
		if err := rp.d.Store.MarkInboxFailed(rp.r.Context(), rp.e.ID, msg); err != nil {
			return err
		}
		rp.e.Attempts++
		rp.e.Detail = msg
	}
	row := inboxRow(rp.e)
	row.Error = msg
	return inboxReply(rp.w, rp.r, status, row)
}

// reply answers with the entry as it is now.
func (rp *inboxReprocess) reply() error {
	e, err := rp.d.Store.InboxEntryByID(rp.r.Context(), rp.e.ID)
	if err != nil {
		return err
	}
	return inboxReply(rp.w, rp.r, http.StatusOK, inboxRow(e))
}
