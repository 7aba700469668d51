package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Notification states and channels.
const (
	NotifyPending   = "pending"
	NotifySent      = "sent"
	NotifyFailed    = "failed"
	NotifyCancelled = "cancelled"

	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Notification is one message decided for one recipient: an email address or a webhook endpoint. It is stored
// before anything is sent (the outbox); the sender claims it when due.
type Notification struct {
	ID         int64
	MessageID  string // the same on every attempt: receivers dedupe by it
	AlertID    int64  // 0 for a test
	RuleID     *int64
	RuleName   string
	Step       int
	Event      string // "opened", "resolved" or "test"
	Channel    string // ChannelEmail or ChannelWebhook
	Target     string // the address, or the endpoint's URL when decided
	EndpointID *int64
	Payload    string // the alert as decided, JSON
	State      string
	DueAt      time.Time
	Attempts   int
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

type notificationRow struct {
	ID         int64         `db:"id"`
	MessageID  string        `db:"message_id"`
	AlertID    int64         `db:"alert_id"`
	RuleID     sql.NullInt64 `db:"rule_id"`
	RuleName   string        `db:"rule_name"`
	Step       int           `db:"step"`
	Event      string        `db:"event"`
	Channel    string        `db:"channel"`
	Target     string        `db:"target"`
	EndpointID sql.NullInt64 `db:"endpoint_id"`
	Payload    string        `db:"payload"`
	State      string        `db:"state"`
	DueAt      int64         `db:"due_at"`
	Attempts   int           `db:"attempts"`
	LastError  string        `db:"last_error"`
	CreatedAt  int64         `db:"created_at"`
	UpdatedAt  int64         `db:"updated_at"`
}

const notificationCols = `id, message_id, alert_id, rule_id, rule_name, step, event, channel, target, endpoint_id,
	payload, state, due_at, attempts, last_error, created_at, updated_at`

func (r notificationRow) notification() Notification {
	return Notification{ID: r.ID, MessageID: r.MessageID, AlertID: r.AlertID, RuleID: fromNullInt64(r.RuleID),
		RuleName: r.RuleName, Step: r.Step, Event: r.Event, Channel: r.Channel, Target: r.Target,
		EndpointID: fromNullInt64(r.EndpointID), Payload: r.Payload, State: r.State, DueAt: fromMS(r.DueAt),
		Attempts: r.Attempts, LastError: r.LastError, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
}

// EnqueueNotifications stores ns as pending in one transaction. One already decided for the same alert, rule,
// step, event and recipient is skipped, so reporting an alert twice notifies once. It returns how many were new.
func (s *Store) EnqueueNotifications(ctx context.Context, ns []Notification) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *dbTx) error {
		for _, n := range ns {
			at := ms(nowOr(n.CreatedAt))
			res, err := tx.ExecContext(ctx, `INSERT INTO notifications (message_id, alert_id, rule_id, rule_name, step,
				event, channel, target, endpoint_id, payload, state, due_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING`,
				n.MessageID, n.AlertID, nullInt64(n.RuleID), n.RuleName, n.Step, n.Event, n.Channel, n.Target,
				nullInt64(n.EndpointID), n.Payload, ms(n.DueAt), at, at)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			added += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("db: enqueue %d notifications: %w", len(ns), err)
	}
	return added, nil
}

// CancelAlertNotifications cancels the pending notifications of an alert (its first notice still waiting for its
// delay, and its escalations) and returns how many. why is shown in the list.
func (s *Store) CancelAlertNotifications(ctx context.Context, alertID int64, why string, at time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE notifications SET state = 'cancelled', last_error = ?, updated_at = ?
		WHERE alert_id = ? AND event = 'opened' AND state = 'pending'`, why, ms(nowOr(at)), alertID)
	if err != nil {
		return 0, fmt.Errorf("db: cancel notifications of alert %d: %w", alertID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SentAlertNotifications returns the "opened" notifications of an alert that reached their recipient.
func (s *Store) SentAlertNotifications(ctx context.Context, alertID int64) ([]Notification, error) {
	return s.listNotifications(ctx, `WHERE alert_id = ? AND event = 'opened' AND state = 'sent' ORDER BY id`, alertID)
}

// DueNotifications returns the ids of pending notifications due at now, oldest first.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	ids := []int64{}
	err := s.r.SelectContext(ctx, &ids, `SELECT id FROM notifications WHERE state = 'pending' AND due_at <= ?
		ORDER BY due_at, id LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("db: due notifications: %w", err)
	}
	return ids, nil
}

// NextNotificationDue returns when the next pending notification is due, or false when none waits.
func (s *Store) NextNotificationDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	if err := s.r.GetContext(ctx, &next, `SELECT min(due_at) FROM notifications WHERE state = 'pending'`); err != nil {
		return time.Time{}, false, fmt.Errorf("db: next notification due: %w", err)
	}
	return fromMS(next.Int64), next.Valid, nil
}

// NotificationByID returns one notification, or ErrNotFound.
func (s *Store) NotificationByID(ctx context.Context, id int64) (Notification, error) {
	ns, err := s.listNotifications(ctx, `WHERE id = ?`, id)
	if err == nil && len(ns) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Notification{}, fmt.Errorf("db: notification %d: %w", id, err)
	}
	return ns[0], nil
}

// NotificationFilter selects notifications for the admin pages; zero fields do not filter.
type NotificationFilter struct {
	AlertID    int64
	EndpointID int64
	State      string
	Limit      int // 0: 100; at most 500
}

// ListNotifications returns the notifications matching f, newest first.
func (s *Store) ListNotifications(ctx context.Context, f NotificationFilter) ([]Notification, error) {
	where, args := `WHERE 1 = 1`, []any{}
	if f.AlertID != 0 {
		where, args = where+` AND alert_id = ?`, append(args, f.AlertID)
	}
	if f.EndpointID != 0 {
		where, args = where+` AND endpoint_id = ?`, append(args, f.EndpointID)
	}
	if f.State != "" {
		where, args = where+` AND state = ?`, append(args, f.State)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return s.listNotifications(ctx, where+` ORDER BY id DESC LIMIT ?`, append(args, min(limit, 500))...)
}

func (s *Store) listNotifications(ctx context.Context, tail string, args ...any) ([]Notification, error) {
	rows := []notificationRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+notificationCols+` FROM notifications `+tail, args...); err != nil {
		return nil, fmt.Errorf("db: list notifications: %w", err)
	}
	out := make([]Notification, len(rows))
	for i, r := range rows {
		out[i] = r.notification()
	}
	return out, nil
}

// ErrBusy is returned by ClaimNotification when the notification is not due, not pending, or another sender
// holds it (an attempt in flight).
var ErrBusy = errors.New("db: notification busy or not due")

// NotificationByMessageID returns the notification with that message id, or ErrNotFound.
func (s *Store) NotificationByMessageID(ctx context.Context, messageID string) (Notification, error) {
	ns, err := s.listNotifications(ctx, `WHERE message_id = ?`, messageID)
	if err == nil && len(ns) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Notification{}, fmt.Errorf("db: notification %s: %w", messageID, err)
	}
	return ns[0], nil
}
