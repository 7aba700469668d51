package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Inbox statuses.
const (
	InboxFailed    = "failed"    // not (yet) an activity
	InboxProcessed = "processed" // re-processed into an activity
)

// Inbox reasons: why a delivery was not stored as an activity.
const (
	ReasonUnauthenticated  = "unauthenticated"   // no token and no signature, while a secret is configured
	ReasonBadSignature     = "bad_signature"     // a wrong token, or a signature that matches no secret
	ReasonExpiredSignature = "expired_signature" // a signature outside the replay window
	ReasonTooLarge         = "too_large"         // over the body limit: only its head is kept
	ReasonUnparseable      = "unparseable"       // not a smart-home webhook the parser accepts
)

// InboxEntry is one delivery kept in the webhook inbox.
type InboxEntry struct {
	ID          int64
	ReceivedAt  time.Time
	Status      string
	Reason      string
	Detail      string // why, in words; never a secret
	Verified    bool   // it carried a valid token or signature
	RemoteAddr  string
	WebhookID   string
	Body        []byte // the delivered bytes, or their head when Truncated
	BodySize    int64  // bytes received
	Truncated   bool
	Suppressed  int // unverified deliveries refused just before this one by the inbox rate limit
	Attempts    int
	ActivityID  *int64
	ProcessedAt *time.Time
	ProcessedBy string
	Held        bool   // its activity was logged unverified; its change to the mirror waits for a confirmation
	AppliedBy   string // who confirmed its change, or "verified delivery"; "" while held or never held
}

type inboxRow struct {
	ID          int64         `db:"id"`
	ReceivedAt  int64         `db:"received_at"`
	Status      string        `db:"status"`
	Reason      string        `db:"reason"`
	Detail      string        `db:"detail"`
	Verified    bool          `db:"verified"`
	RemoteAddr  string        `db:"remote_addr"`
	WebhookID   string        `db:"webhook_id"`
	Body        []byte        `db:"body"`
	BodySize    int64         `db:"body_size"`
	Truncated   bool          `db:"truncated"`
	Suppressed  int           `db:"suppressed"`
	Attempts    int           `db:"attempts"`
	ActivityID  sql.NullInt64 `db:"activity_id"`
	ProcessedAt sql.NullInt64 `db:"processed_at"`
	ProcessedBy string        `db:"processed_by"`
	Held        bool          `db:"held"`
	AppliedBy   string        `db:"applied_by"`
}

// inboxSelect reads entries (alias wi) with the hold on their activity; body is the column expression to read.
func inboxSelect(body string) string {
	return `SELECT wi.id, wi.received_at, wi.status, wi.reason, wi.detail, wi.verified, wi.remote_addr, wi.webhook_id,
		` + body + ` AS body, wi.body_size, wi.truncated, wi.suppressed, wi.attempts, wi.activity_id, wi.processed_at,
		wi.processed_by, (ia.activity_id IS NOT NULL AND ia.applied_at IS NULL) AS held,
		coalesce(ia.applied_by, '') AS applied_by
	FROM webhook_inbox wi LEFT JOIN inbox_activities ia ON ia.activity_id = wi.activity_id`
}

func (r inboxRow) entry() InboxEntry {
	return InboxEntry{ID: r.ID, ReceivedAt: fromMS(r.ReceivedAt), Status: r.Status, Reason: r.Reason, Detail: r.Detail,
		Verified: r.Verified, RemoteAddr: r.RemoteAddr, WebhookID: r.WebhookID, Body: r.Body, BodySize: r.BodySize,
		Truncated: r.Truncated, Suppressed: r.Suppressed, Attempts: r.Attempts, ActivityID: fromNullInt64(r.ActivityID),
		ProcessedAt: fromNullMS(r.ProcessedAt), ProcessedBy: r.ProcessedBy, Held: r.Held, AppliedBy: r.AppliedBy}
}

// AddInbox keeps a delivery in the inbox and returns its id. It is a single durable commit: the sender is
// answered after it.
func (s *Store) AddInbox(ctx context.Context, e InboxEntry) (int64, error) {
	e.ReceivedAt = nowOr(e.ReceivedAt)
	if e.Status == "" {
		e.Status = InboxFailed
	}
	if e.Body == nil {
		e.Body = []byte{}
	}
	var id int64
	err := s.w.GetContext(ctx, &id, `INSERT INTO webhook_inbox (received_at, status, reason, detail, verified,
			remote_addr, webhook_id, body, body_size, truncated, suppressed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ms(e.ReceivedAt), e.Status, e.Reason, e.Detail, e.Verified, e.RemoteAddr, e.WebhookID, e.Body, e.BodySize,
		e.Truncated, e.Suppressed)
	if err != nil {
		return 0, fmt.Errorf("db: add inbox entry (%s): %w", e.Reason, err)
	}
	return id, nil
}

// InboxEntryByID returns one inbox entry with its body, or ErrNotFound.
func (s *Store) InboxEntryByID(ctx context.Context, id int64) (InboxEntry, error) {
	var r inboxRow
	if err := s.r.GetContext(ctx, &r, inboxSelect("wi.body")+` WHERE wi.id = ?`, id); err != nil {
		return InboxEntry{}, fmt.Errorf("db: inbox entry %d: %w", id, notFound(err))
	}
	return r.entry(), nil
}

// InboxFilter selects inbox entries: by status ("" = all), newest first, before an id (0 = from the newest).
type InboxFilter struct {
	Status   string
	BeforeID int64
	Limit    int // 0 = 50; at most 200
}

// InboxPage is one page of the inbox; NextBefore is 0 on the last page.
type InboxPage struct {
	Items      []InboxEntry
	NextBefore int64
	Failed     int // entries still failed, over the whole inbox
}

// inboxPreview bounds the body bytes a list returns per entry; InboxEntryByID returns all of it.
const inboxPreview = 2048

// ListInbox returns a page of the inbox with each body cut to a preview.
func (s *Store) ListInbox(ctx context.Context, f InboxFilter) (InboxPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	before := f.BeforeID
	if before <= 0 {
		before = 1<<63 - 1
	}
	sel := inboxSelect(`substr(wi.body, 1, ` + fmt.Sprint(inboxPreview) + `)`)
	rows := []inboxRow{}
	var err error
	if f.Status != "" {
		err = s.r.SelectContext(ctx, &rows, sel+` WHERE wi.status = ? AND wi.id < ? ORDER BY wi.id DESC LIMIT ?`,
			f.Status, before, limit+1)
	} else {
		err = s.r.SelectContext(ctx, &rows, sel+` WHERE wi.id < ? ORDER BY wi.id DESC LIMIT ?`, before, limit+1)
	}
	if err != nil {
		return InboxPage{}, fmt.Errorf("db: list inbox: %w", err)
	}
	var pg InboxPage
	if len(rows) > limit {
		rows = rows[:limit]
		pg.NextBefore = rows[limit-1].ID
	}
	for _, r := range rows {
		pg.Items = append(pg.Items, r.entry())
	}
	if pg.Failed, err = s.InboxFailedCount(ctx); err != nil {
		return InboxPage{}, err
	}
	return pg, nil
}

// MarkInboxFailed records a failed re-processing attempt and why it failed this time.
func (s *Store) MarkInboxFailed(ctx context.Context, id int64, detail string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_inbox SET detail = ?, attempts = attempts + 1 WHERE id = ?`, detail, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: inbox entry %d attempt: %w", id, err)
	}
	return nil
}

// InboxFailedCount is how many inbox entries are still failed.
func (s *Store) InboxFailedCount(ctx context.Context) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, `SELECT count(*) FROM webhook_inbox WHERE status = 'failed'`); err != nil {
		return 0, fmt.Errorf("db: count inbox: %w", err)
	}
	return n, nil
}
