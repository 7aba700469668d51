package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// inboxReasons describe the stored reason codes.
var inboxReasons = map[string]string{
	db.ReasonUnauthenticated:  "No credentials",
	db.ReasonBadSignature:     "Bad token or signature",
	db.ReasonExpiredSignature: "Stale signature",
	db.ReasonTooLarge:         "Too large",
	db.ReasonUnparseable:      "Unreadable",
}

// handleInbox serves GET /inbox: the deliveries kept without becoming activities, newest first.
func handleInbox(d Deps, opts Options, limiter *inboxLimiter) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		status := q.Get("status")
		if status != db.InboxFailed && status != db.InboxProcessed {
			status = ""
		}
		before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
		pg, err := d.Store.ListInbox(r.Context(), db.InboxFilter{Status: status, BeforeID: before})
		if err != nil {
			return err
		}
		data := views.InboxData{Status: status, Failed: pg.Failed, Refused: limiter.Refused()}
		if len(opts.WebhookSecrets) == 0 {
			data.SecretNote = "WEBHOOK_SECRET is not set: deliveries are accepted from anyone and none is verified."
		}
		for _, e := range pg.Items {
			data.Rows = append(data.Rows, inboxRow(e))
		}
		link := func(before int64) string {
			u := "/inbox?"
			if status != "" {
				u += "status=" + status + "&"
			}
			if before > 0 {
				u += "before=" + strconv.FormatInt(before, 10)
			}
			return u
		}
		if pg.NextBefore > 0 {
			data.NextURL = link(pg.NextBefore)
		}
		if before > 0 {
			data.NewestURL = link(0)
		}
		meta := pageMeta(r, "Webhook inbox", views.NavInbox)
		return render(w, r, http.StatusOK, views.InboxPage(meta, data))
	})
}

func inboxRow(e db.InboxEntry) views.InboxRowData {
	row := views.InboxRowData{ID: strconv.FormatInt(e.ID, 10), Status: e.Status, Reason: e.Reason,
		ReasonLabel: firstNonEmpty(inboxReasons[e.Reason], e.Reason), Detail: e.Detail, Verified: e.Verified,
		RemoteAddr: e.RemoteAddr, WebhookID: e.WebhookID, Body: clip(string(e.Body), 2000), BodySize: byteSize(e.BodySize),
		Truncated: e.Truncated, Suppressed: e.Suppressed, Attempts: e.Attempts, ProcessedBy: e.ProcessedBy,
		CanReprocess: e.Status == db.InboxFailed && !e.Truncated}
	if e.ActivityID != nil {
		row.ActivityID = strconv.FormatInt(*e.ActivityID, 10)
	}
	row.When, row.WhenISO = localTimes(&e.ReceivedAt, time.UTC)
	return row
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// handleInboxReprocess serves POST /inbox/{id}/reprocess: an admin vouches for a kept delivery, which is parsed
// again and, if it now reads, stored as an (unverified) activity like any delivery. Audited either way.
func handleInboxReprocess(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		ctx := r.Context()
		e, err := d.Store.InboxEntryByID(ctx, id)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "webhook_inbox.reprocess", targetType: "webhook_inbox", targetID: strconv.FormatInt(id, 10)}
		fail := func(status int, msg string) error {
			rec.outcome, rec.detail = "failed", msg
			audit(r, d.Store, d.Logger, rec)
			if e.Status == db.InboxFailed {
				if err := d.Store.MarkInboxFailed(ctx, id, msg); err != nil {
					return err
				}
				e.Attempts++
				e.Detail = msg
			}
			row := inboxRow(e)
			row.Error = msg
			return inboxReply(w, r, status, row)
		}
		switch {
		case e.Status != db.InboxFailed:
			return fail(http.StatusConflict, "This delivery was already processed.")
		case e.Truncated:
			return fail(http.StatusUnprocessableEntity, "Only the head of this delivery was kept, so it cannot be read. Ask the sender to resend it.")
		}
		ev, err := smarthome.ParseEvent(e.Body)
		if err != nil {
			return fail(http.StatusUnprocessableEntity, parseDetail(err))
		}
		target, err := d.Store.ResolveTarget(ctx, ev.HubID, ev.DeviceID)
		if err != nil {
			return err
		}
		item, view := buildItem(ev, target, e.Body, authResult{ok: true}, nowUTC())
		res, err := d.Store.Ingest(ctx, item)
		if err != nil {
			return err
		}
		p := currentUser(ctx)
		if err := d.Store.MarkInboxProcessed(ctx, id, res.ID, p.user.Email, nowUTC()); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		rec.outcome, rec.detail = "ok", "activity "+strconv.FormatInt(res.ID, 10)
		audit(r, d.Store, d.Logger, rec)
		if !res.Duplicate {
			view.ID = res.ID
			notifyStored(ctx, d, view)
			publishIngest(ctx, d, view, res)
		}
		e, err = d.Store.InboxEntryByID(ctx, id)
		if err != nil {
			return err
		}
		return inboxReply(w, r, http.StatusOK, inboxRow(e))
	})
}

// inboxReply answers htmx with the entry's row and a plain form post with the inbox page.
func inboxReply(w http.ResponseWriter, r *http.Request, status int, row views.InboxRowData) error {
	if isHTMX(r) {
		return render(w, r, status, views.InboxRow(row))
	}
	if status >= 400 {
		return &httpError{status: status, msg: row.Error}
	}
	redirect(w, r, "/inbox")
	return nil
}
