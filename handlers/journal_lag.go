package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/views"
)

// behindNotice is the standing warning of the home page and the activity log while the webhook projection is
// behind by ingest.BehindAfter or more: the deliveries are stored (they were acknowledged), but the log and the
// mirror do not show them yet. None when the lag cannot be read: the page is more use than the notice.
func behindNotice(ctx context.Context, store *db.Store, now time.Time) []views.NoticeData {
	lag, err := store.JournalLag(ctx)
	if err != nil || lag.Age(now) < ingest.BehindAfter {
		return nil
	}
	return []views.NoticeData{{Kind: "warn", Message: fmt.Sprintf("The activity log is behind: %d webhook deliveries "+
		"are stored but not yet in the log (the oldest arrived %s ago). They will appear, in order, shortly.",
		lag.Waiting, lag.Age(now).Round(time.Second))}}
}
