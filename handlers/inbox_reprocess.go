package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
)

// Re-processing a webhook inbox entry: the rule (an unverified delivery is logged held and applied only on a
// confirming second POST) is ingest.Receiver's Reprocess and Confirm. This runs the two steps from the inbox page
// and audits every attempt, saying whether it was a confirmation.

// handleInboxReprocess serves POST /inbox/{id}/reprocess: the first step for a failed entry, or with confirm=yes
// the second for a processed entry whose activity is held. A confirm field on a failed entry is not a
// confirmation: its reason has not been shown yet.
func handleInboxReprocess(d Deps, rx *ingest.Receiver) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		e, err := d.Store.InboxEntryByID(r.Context(), id)
		if err != nil {
			return err
		}
		rp := &inboxReprocess{d: d, rx: rx, w: w, r: r, e: e, step: "not confirmed"}
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
	rx   *ingest.Receiver
	w    http.ResponseWriter
	r    *http.Request
	e    db.InboxEntry
	step string // "confirmed" or "not confirmed", for the audit
}

// log is the first step: the entry becomes an activity (or finds the one its event already is).
func (rp *inboxReprocess) log() error {
	ctx := rp.r.Context()
	res, err := rp.rx.Reprocess(ctx, rp.e, currentUser(ctx).user.Email)
	if errors.Is(err, db.ErrConflict) { // processed by someone else meanwhile: show it as it is now
		if rp.e, err = rp.d.Store.InboxEntryByID(ctx, rp.e.ID); err != nil {
			return err
		}
		return rp.fail(http.StatusConflict, "This delivery was already processed.")
	}
	if err != nil {
		return rp.failed(err)
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
	return rp.reply()
}

// apply is the second step: the admin saw why the delivery was rejected and vouches for it.
func (rp *inboxReprocess) apply() error {
	ctx := rp.r.Context()
	res, err := rp.rx.Confirm(ctx, rp.e, currentUser(ctx).user.Email)
	if errors.Is(err, db.ErrConflict) {
		return rp.fail(http.StatusConflict, "Nothing to confirm: this event is already applied (confirmed before, or delivered verified).")
	}
	if err != nil {
		return rp.failed(err)
	}
	rp.audit(db.OutcomeOK, "activity "+strconv.FormatInt(res.ActivityID, 10)+" applied to the mirror (rejected: "+rp.rejection()+")")
	return rp.reply()
}

// failed answers an error of either step: a kept body that still does not read gets its 422 row, anything else
// is the server's error.
func (rp *inboxReprocess) failed(err error) error {
	if u, ok := errors.AsType[*ingest.UnreadableError](err); ok {
		return rp.fail(http.StatusUnprocessableEntity, u.Detail)
	}
	return err
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
