package handlers

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/ingest"
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
func handleInbox(d Deps, opts Options, rx *ingest.Receiver) http.Handler {
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
		data := views.InboxData{Status: status, Failed: pg.Failed, Refused: rx.Refused()}
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
		ReasonLabel: cmp.Or(inboxReasons[e.Reason], e.Reason), Detail: e.Detail, Verified: e.Verified,
		RemoteAddr: e.RemoteAddr, WebhookID: e.WebhookID, Body: clip.String(string(e.Body), 2000), BodySize: byteSize(e.BodySize),
		Truncated: e.Truncated, Suppressed: e.Suppressed, Attempts: e.Attempts, ProcessedBy: e.ProcessedBy,
		CanReprocess: e.Status == db.InboxFailed && !e.Truncated, Held: e.Status == db.InboxProcessed && e.Held,
		AppliedBy: e.AppliedBy}
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
