package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Attempt states. An attempt is written as AttemptSending, in the transaction that claims its notification, before
// anything goes out; one still sending when its lease runs out was cut off by a restart and becomes
// AttemptInterrupted (it may or may not have been delivered) before the next attempt is made.
const (
	AttemptSending     = "sending"
	AttemptOK          = "ok"
	AttemptFailed      = "failed"
	AttemptInterrupted = "interrupted"
)

// NotifyAttempt is one try at delivering a notification, with what the receiver answered.
type NotifyAttempt struct {
	ID             int64
	NotificationID int64
	StartedAt      time.Time
	FinishedAt     *time.Time
	State          string
	StatusCode     int    // HTTP status or SMTP reply code; 0 when none came
	Reply          string // the start of the answer
	Error          string
	Manual         bool // a resend or a test by an admin

	// From the notification, for the logs.
	AlertID int64
	Event   string
	Channel string
	Target  string
}

type notifyAttemptRow struct {
	ID             int64         `db:"id"`
	NotificationID int64         `db:"notification_id"`
	StartedAt      int64         `db:"started_at"`
	FinishedAt     sql.NullInt64 `db:"finished_at"`
	State          string        `db:"state"`
	StatusCode     int           `db:"status_code"`
	Reply          string        `db:"reply"`
	Error          string        `db:"error"`
	Manual         bool          `db:"manual"`
	AlertID        int64         `db:"alert_id"`
	Event          string        `db:"event"`
	Channel        string        `db:"channel"`
	Target         string        `db:"target"`
}

const notifyAttemptCols = `a.id, a.notification_id, a.started_at, a.finished_at, a.state, a.status_code, a.reply,
	a.error, a.manual, n.alert_id, n.event, n.channel, n.target`

func (r notifyAttemptRow) attempt() NotifyAttempt {
	return NotifyAttempt{ID: r.ID, NotificationID: r.NotificationID, StartedAt: fromMS(r.StartedAt),
		FinishedAt: fromNullMS(r.FinishedAt), State: r.State, StatusCode: r.StatusCode, Reply: r.Reply,
		Error: r.Error, Manual: r.Manual, AlertID: r.AlertID, Event: r.Event, Channel: r.Channel, Target: r.Target}
}

// interruptedText is what an attempt cut off by a restart says.
const interruptedText = "the dashboard stopped during this attempt; it may or may not have been delivered"

// ClaimNotification takes notification id for one attempt at now: in one transaction it moves the notification's
// due time to now+lease (so no other sender takes it meanwhile), marks attempts of it left sending by a stopped
// process as interrupted, and writes the new attempt as sending. Only after the commit may the caller send; a
// crash mid-send leaves the attempt for the next claim to find. A scheduled claim needs the notification pending
// and due; a manual one (resend, test) takes it in any state unless an attempt is in flight. Otherwise ErrBusy.
func (s *Store) ClaimNotification(ctx context.Context, id int64, now time.Time, lease time.Duration, manual bool) (Notification, NotifyAttempt, error) {
	var n Notification
	a := NotifyAttempt{NotificationID: id, StartedAt: stored(now), State: AttemptSending, Manual: manual}
	err := s.inTx(ctx, func(tx *dbTx) error {
		var res sql.Result
		var err error
		if manual {
			res, err = tx.ExecContext(ctx, `UPDATE notifications SET state = 'pending', attempts = attempts + 1,
				due_at = ?, updated_at = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM notification_attempts
				WHERE notification_id = ? AND state = 'sending' AND started_at > ?)`,
				ms(now.Add(lease)), ms(now), id, id, ms(now.Add(-lease)))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE notifications SET attempts = attempts + 1, due_at = ?, updated_at = ?
				WHERE id = ? AND state = 'pending' AND due_at <= ?`, ms(now.Add(lease)), ms(now), id, ms(now))
		}
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrBusy
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notification_attempts SET state = 'interrupted', finished_at = ?,
			error = ? WHERE notification_id = ? AND state = 'sending'`, ms(now), interruptedText, id); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &a.ID, `INSERT INTO notification_attempts (notification_id, started_at, state, manual)
			VALUES (?, ?, 'sending', ?) RETURNING id`, id, ms(now), manual); err != nil {
			return err
		}
		var r notificationRow
		if err := tx.GetContext(ctx, &r, `SELECT `+notificationCols+` FROM notifications WHERE id = ?`, id); err != nil {
			return err
		}
		n = r.notification()
		return nil
	})
	if err != nil {
		return Notification{}, NotifyAttempt{}, fmt.Errorf("db: claim notification %d: %w", id, err)
	}
	a.AlertID, a.Event, a.Channel, a.Target = n.AlertID, n.Event, n.Channel, n.Target
	return n, a, nil
}

// AttemptResult is how an attempt ended and what becomes of its notification.
type AttemptResult struct {
	OK         bool
	StatusCode int
	Reply      string
	Error      string
	At         time.Time
	Retry      bool      // not OK: try again at RetryAt; otherwise the notification has failed
	RetryAt    time.Time // when Retry
}

// FinishAttempt records attempt a's outcome and moves its notification on: sent, pending until RetryAt, or
// failed. A notification cancelled while the attempt ran stays cancelled unless the attempt delivered it.
func (s *Store) FinishAttempt(ctx context.Context, a NotifyAttempt, res AttemptResult) error {
	state := AttemptFailed
	if res.OK {
		state = AttemptOK
	}
	at := ms(nowOr(res.At))
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notification_attempts SET state = ?, finished_at = ?, status_code = ?,
			reply = ?, error = ? WHERE id = ? AND state = 'sending'`, state, at, res.StatusCode, res.Reply, res.Error, a.ID); err != nil {
			return err
		}
		var err error
		switch {
		case res.OK:
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET state = 'sent', last_error = '', updated_at = ?
				WHERE id = ?`, at, a.NotificationID)
		case res.Retry:
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET due_at = ?, last_error = ?, updated_at = ?
				WHERE id = ? AND state = 'pending'`, ms(res.RetryAt), res.Error, at, a.NotificationID)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET state = 'failed', last_error = ?, updated_at = ?
				WHERE id = ? AND state = 'pending'`, res.Error, at, a.NotificationID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("db: finish attempt %d of notification %d: %w", a.ID, a.NotificationID, err)
	}
	return nil
}

// CancelNotification stops one pending notification (a send that cannot happen, such as a disabled endpoint).
func (s *Store) CancelNotification(ctx context.Context, id int64, why string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE notifications SET state = 'cancelled', last_error = ?, updated_at = ?
		WHERE id = ? AND state = 'pending'`, why, ms(nowOr(at)), id)
	if err != nil {
		return fmt.Errorf("db: cancel notification %d: %w", id, err)
	}
	return nil
}

// NotificationAttempts returns the attempts at one notification, oldest first.
func (s *Store) NotificationAttempts(ctx context.Context, notificationID int64) ([]NotifyAttempt, error) {
	return s.listAttempts(ctx, `WHERE a.notification_id = ? ORDER BY a.id`, notificationID)
}

// EndpointAttempts returns the latest attempts at notifications for one endpoint, newest first.
func (s *Store) EndpointAttempts(ctx context.Context, endpointID int64, limit int) ([]NotifyAttempt, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.listAttempts(ctx, `WHERE n.endpoint_id = ? ORDER BY a.id DESC LIMIT ?`, endpointID, limit)
}

func (s *Store) listAttempts(ctx context.Context, tail string, args ...any) ([]NotifyAttempt, error) {
	rows := []notifyAttemptRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+notifyAttemptCols+` FROM notification_attempts a
		JOIN notifications n ON n.id = a.notification_id `+tail, args...); err != nil {
		return nil, fmt.Errorf("db: list notification attempts: %w", err)
	}
	out := make([]NotifyAttempt, len(rows))
	for i, r := range rows {
		out[i] = r.attempt()
	}
	return out, nil
}
