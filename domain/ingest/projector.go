package ingest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
)

// The projector turns journal rows into activities behind the request path (db/journal.go): it reads the waiting
// rows in id order, builds each one's activity as the receiver would have (the bytes parse to the same event; the
// target comes from the mirror now), writes a whole batch in one transaction that also marks the rows projected,
// and then announces each activity, in order, to the observers and the open pages. One projector runs per
// cluster (cmd/web runs it as a leader job): two would only take turns, each batch conflicting with the other's.

// Projector bounds.
const (
	// ProjectBatch is the most journal rows one projection transaction writes: large, so the per-transaction
	// cost (the fsync, the mirror's reads) is shared by many rows, small enough that the first live push of a
	// backlog is not held up long.
	ProjectBatch = 2000
	// ProjectBatchBusy is the most while webhooks are arriving: on SQLite every sender waits for the projection's
	// transaction, so it is kept to a few tens of milliseconds.
	ProjectBatchBusy = 500
	// projectPoll is how often the projector looks for rows another instance appended (PostgreSQL): this
	// instance's own appends wake it at once.
	projectPoll = 200 * time.Millisecond
	// projectRetry and projectRetryMax bound the pause after a failed batch (the database unavailable, say).
	projectRetry    = 250 * time.Millisecond
	projectRetryMax = 30 * time.Second
	// BehindAfter is the lag from which the pages that read the log say the projection is behind: the oldest
	// waiting delivery arrived that long ago. Under load the lag is a batch or two, far below it.
	BehindAfter = 5 * time.Second
)

// RunProjector projects the journal until ctx ends. A failed batch is logged and tried again after a pause that
// doubles up to projectRetryMax; the rows wait in the journal meanwhile, and the lag shows on /healthz.
func (rx *Receiver) RunProjector(ctx context.Context) {
	pause := projectRetry
	poll := time.NewTimer(projectPoll)
	defer poll.Stop()
	for ctx.Err() == nil {
		n, err := rx.ProjectOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			rx.logger.Error("webhook projection failed; retrying", slog.Duration("after", pause), slog.Any("err", err))
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			pause = min(2*pause, projectRetryMax)
			continue
		case n >= ProjectBatchBusy:
			pause = projectRetry
			continue // a backlog: the next batch at once
		}
		pause = projectRetry
		poll.Reset(projectPoll)
		select {
		case <-ctx.Done():
		case <-rx.wake:
		case <-poll.C:
		}
	}
}

// ProjectOnce projects one batch of waiting journal rows (at most ProjectBatch) and announces them, and returns
// how many rows it took. Rows another projector took meanwhile are not an error: the batch is read again.
func (rx *Receiver) ProjectOnce(ctx context.Context) (int, error) {
	limit := ProjectBatch
	if rx.store.AppendsActive() {
		limit = ProjectBatchBusy
	}
	rows, err := rx.store.WaitingJournal(ctx, limit)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	ctx = context.WithoutCancel(ctx) // a batch read is written and announced whole, even at shutdown
	items := make([]db.IngestItem, 0, len(rows))
	views := make([]db.ActivityView, 0, len(rows))
	for _, row := range rows {
		item, view, err := rx.projection(ctx, row)
		var bad unparseable
		switch {
		case errors.As(err, &bad):
			rx.setAside(ctx, row, bad)
			continue
		case err != nil:
			return 0, err
		}
		items, views = append(items, item), append(views, view)
	}
	if len(items) == 0 {
		return len(rows), nil
	}
	results, err := rx.store.Project(ctx, items)
	if errors.Is(err, db.ErrConflict) {
		rx.logger.Warn("webhook projection: rows taken by another projector; reading again", slog.Any("err", err))
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	for i, res := range results {
		view := views[i]
		view.ID = res.ID
		rx.notify(ctx, view)
		rx.publishActivity(ctx, view)
		rx.publishChanges(ctx, view, res.Hub, res.Device)
	}
	return len(rows), nil
}

// projection builds a journal row's activity: parsed again from its bytes, resolved against the mirror, dated by
// when it arrived, under the row's id and key.
func (rx *Receiver) projection(ctx context.Context, row db.JournalRow) (db.IngestItem, db.ActivityView, error) {
	ev, err := parse(row.Body)
	if err != nil { // it parsed when appended: only a different parser could refuse it now
		return db.IngestItem{}, db.ActivityView{}, unparseable{err}
	}
	target, err := rx.targets.resolve(ctx, ev.HubID, ev.DeviceID, rx.now())
	if err != nil {
		return db.IngestItem{}, db.ActivityView{}, err
	}
	a := authResult{ok: true, signedOrToken: row.Verified, signatureID: row.SignatureID}
	item, view := buildItem(ev, target, row.Body, a, row.ReceivedAt)
	item.Activity.ID, item.Activity.DedupeKey = row.ID, row.DedupeKey
	view.Activity = item.Activity
	return item, view, nil
}

// unparseable is a journal row whose bytes no longer parse: retrying cannot help, so it is set aside.
type unparseable struct{ err error }

func (u unparseable) Error() string { return u.err.Error() }

// setAside moves a row that cannot be projected to the webhook inbox, where an admin sees it, so that it does not
// hold up every row behind it. A failure leaves it waiting: the next batch tries again.
func (rx *Receiver) setAside(ctx context.Context, row db.JournalRow, why unparseable) {
	id, err := rx.store.SetAside(ctx, row, clip.String("no longer parses: "+why.Error(), 300))
	if err != nil {
		rx.logger.Error("webhook projection: cannot set an unparseable journal row aside", slog.Int64("journal_id", row.ID),
			slog.Any("err", err))
		return
	}
	rx.logger.Warn("webhook projection: journal row no longer parses; kept in the inbox", slog.Int64("journal_id", row.ID),
		slog.Int64("inbox_id", id))
}
