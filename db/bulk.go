package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of bulk actions.
const (
	BulkCode    = "code"     // one lock code on many locks
	BulkRevoke  = "revoke"   // a person's codes removed everywhere
	BulkMoveOut = "move_out" // move-outs at many properties
)

// The dashboard's own step for a bulk item; what the lock did is read from lock_code_devices.
const (
	BulkQueued      = "queued"      // not sent yet
	BulkSent        = "sent"        // the upstream took it
	BulkFailed      = "failed"      // the upstream refused it; Error says why
	BulkInterrupted = "interrupted" // the dashboard stopped before sending it; retryable
)

// BulkAction is one bulk form submitted: what it did, to what, and how far it got.
type BulkAction struct {
	ID          int64
	Kind        string
	Token       string // the form's one-time token: a second submit of the same form finds this action
	Label       string // the code's name, the person, …
	RequestedBy *int64
	RequestedAt time.Time
	HeartbeatAt time.Time  // last time its worker wrote; a running action with an old one was interrupted
	FinishedAt  *time.Time // when its worker stopped (all items sent, failed or interrupted)
	Items       []BulkItem
}

// BulkItem is one lock (code), code (revoke) or property (move-out) of a bulk action.
type BulkItem struct {
	Seq        int
	Group      int // items sent together in one upstream call (the locks of one hub)
	PropertyID int64
	DeviceID   string
	Label      string
	LockCodeID string // the code this item is about, once known
	RefID      int64  // move-out: the move-out record
	Request    string // what to send again on a retry (JSON, never a PIN)
	State      string
	Error      string
	UpdatedAt  time.Time
}

type bulkActionRow struct {
	ID          int64         `db:"id"`
	Kind        string        `db:"kind"`
	Token       string        `db:"token"`
	Label       string        `db:"label"`
	RequestedBy sql.NullInt64 `db:"requested_by"`
	RequestedAt int64         `db:"requested_at"`
	HeartbeatAt int64         `db:"heartbeat_at"`
	FinishedAt  sql.NullInt64 `db:"finished_at"`
}

type bulkItemRow struct {
	Seq        int    `db:"seq"`
	Group      int    `db:"grp"`
	PropertyID int64  `db:"property_id"`
	DeviceID   string `db:"device_id"`
	Label      string `db:"label"`
	LockCodeID string `db:"lock_code_id"`
	RefID      int64  `db:"ref_id"`
	Request    string `db:"request"`
	State      string `db:"state"`
	Error      string `db:"error"`
	UpdatedAt  int64  `db:"updated_at"`
}

const bulkActionCols = `id, kind, token, label, requested_by, requested_at, heartbeat_at, finished_at`

func (r bulkActionRow) action() BulkAction {
	return BulkAction{ID: r.ID, Kind: r.Kind, Token: r.Token, Label: r.Label, RequestedBy: fromNullInt64(r.RequestedBy),
		RequestedAt: fromMS(r.RequestedAt), HeartbeatAt: fromMS(r.HeartbeatAt), FinishedAt: fromNullMS(r.FinishedAt)}
}

// CreateBulkAction stores a bulk action and its items in one transaction, all items queued. created is false when
// an action with the same token exists already (a double submit): that one is returned, and nothing is stored.
func (s *Store) CreateBulkAction(ctx context.Context, a BulkAction) (BulkAction, bool, error) {
	at := ms(nowOr(a.RequestedAt))
	var id int64
	err := s.inTx(ctx, func(tx *dbTx) error {
		err := tx.GetContext(ctx, &id, `INSERT INTO bulk_actions (kind, token, label, requested_by, requested_at,
			heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING RETURNING id`,
			a.Kind, a.Token, a.Label, nullInt64(a.RequestedBy), at, at)
		if errors.Is(err, sql.ErrNoRows) {
			id = 0
			return nil
		}
		if err != nil {
			return err
		}
		for i, it := range a.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_items (bulk_id, seq, grp, property_id, device_id, label,
				lock_code_id, ref_id, request, state, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)`,
				id, i, it.Group, it.PropertyID, it.DeviceID, it.Label, it.LockCodeID, it.RefID, it.Request, BulkQueued, at); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return BulkAction{}, false, fmt.Errorf("db: create bulk action: %w", err)
	}
	if id == 0 {
		var existing int64
		if err := s.w.GetContext(ctx, &existing, `SELECT id FROM bulk_actions WHERE token = ?`, a.Token); err != nil {
			return BulkAction{}, false, fmt.Errorf("db: bulk action by token: %w", notFound(err))
		}
		b, err := s.BulkAction(ctx, existing)
		return b, false, err
	}
	b, err := s.BulkAction(ctx, id)
	return b, true, err
}

// BulkAction returns a bulk action with its items in order. Read on the writer, so a worker's last write shows.
func (s *Store) BulkAction(ctx context.Context, id int64) (BulkAction, error) {
	var row bulkActionRow
	var items []bulkItemRow
	if err := s.w.GetContext(ctx, &row, `SELECT `+bulkActionCols+` FROM bulk_actions WHERE id = ?`, id); err != nil {
		return BulkAction{}, fmt.Errorf("db: bulk action %d: %w", id, notFound(err))
	}
	if err := s.w.SelectContext(ctx, &items, `SELECT seq, grp, property_id, device_id, label, lock_code_id, ref_id,
		request, state, error, updated_at FROM bulk_items WHERE bulk_id = ? ORDER BY seq`, id); err != nil {
		return BulkAction{}, fmt.Errorf("db: bulk action %d items: %w", id, err)
	}
	b := row.action()
	for _, it := range items {
		b.Items = append(b.Items, BulkItem{Seq: it.Seq, Group: it.Group, PropertyID: it.PropertyID, DeviceID: it.DeviceID,
			Label: it.Label, LockCodeID: it.LockCodeID, RefID: it.RefID, Request: it.Request, State: it.State,
			Error: it.Error, UpdatedAt: fromMS(it.UpdatedAt)})
	}
	return b, nil
}

// RecentBulkActions returns the newest bulk actions, without their items.
func (s *Store) RecentBulkActions(ctx context.Context, limit int) ([]BulkAction, error) {
	var rows []bulkActionRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+bulkActionCols+` FROM bulk_actions
		ORDER BY requested_at DESC, id DESC LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("db: recent bulk actions: %w", err)
	}
	out := make([]BulkAction, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.action())
	}
	return out, nil
}

// SetBulkItems records the outcome of items seqs (state, and the code they are about when codeID is not empty)
// and stamps the action's heartbeat.
func (s *Store) SetBulkItems(ctx context.Context, id int64, seqs []int, state, codeID, problem string, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		for _, seq := range seqs {
			if _, err := tx.ExecContext(ctx, `UPDATE bulk_items SET state = ?, error = ?, updated_at = ?,
				lock_code_id = CASE WHEN ? <> '' THEN ? ELSE lock_code_id END WHERE bulk_id = ? AND seq = ?`,
				state, problem, ms(at), codeID, codeID, id, seq); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE bulk_actions SET heartbeat_at = ? WHERE id = ?`, ms(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: set bulk action %d items: %w", id, err)
	}
	return nil
}

// FinishBulkAction records that the action's worker stopped.
func (s *Store) FinishBulkAction(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE bulk_actions SET finished_at = ?, heartbeat_at = ? WHERE id = ?`,
		ms(at), ms(at), id); err != nil {
		return fmt.Errorf("db: finish bulk action %d: %w", id, err)
	}
	return nil
}

// RestartBulkAction queues items seqs again and marks the action running, for a retry. It reports false, and
// changes nothing, when the action is still running.
func (s *Store) RestartBulkAction(ctx context.Context, id int64, seqs []int, at time.Time) (bool, error) {
	started := false
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bulk_actions SET finished_at = NULL, heartbeat_at = ?
			WHERE id = ? AND finished_at IS NOT NULL`, ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		started = true
		for _, seq := range seqs {
			if _, err := tx.ExecContext(ctx, `UPDATE bulk_items SET state = ?, error = '', updated_at = ?
				WHERE bulk_id = ? AND seq = ?`, BulkQueued, ms(at), id, seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: restart bulk action %d: %w", id, err)
	}
	return started, nil
}

// InterruptBulkAction ends an action whose worker has not written since staleBefore (the dashboard stopped while
// it ran): its queued items become interrupted. It reports whether it did so.
func (s *Store) InterruptBulkAction(ctx context.Context, id int64, staleBefore, at time.Time) (bool, error) {
	done := false
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bulk_actions SET finished_at = ? WHERE id = ? AND finished_at IS NULL
			AND heartbeat_at < ?`, ms(at), id, ms(staleBefore))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		_, err = tx.ExecContext(ctx, `UPDATE bulk_items SET state = ?, error = ?, updated_at = ? WHERE bulk_id = ?
			AND state = ?`, BulkInterrupted, "the dashboard stopped before sending it", ms(at), id, BulkQueued)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: interrupt bulk action %d: %w", id, err)
	}
	return done, nil
}

// LiveLockCodesNamed returns the live codes (not being deleted) whose name is name, ignoring case and the spaces
// around it, in every property, ordered by property then id: two reads, however many codes.
func (s *Store) LiveLockCodesNamed(ctx context.Context, name string) ([]LockCode, error) {
	var codes []LockCode
	err := s.readTx(ctx, func(tx *dbTx) error {
		var err error
		codes, err = selectLockCodes(ctx, tx, `c.deleted_at IS NULL AND lower(c.name) = lower(?)`,
			`lcd.code_id IN (SELECT id FROM lock_codes WHERE deleted_at IS NULL AND lower(name) = lower(?))`,
			strings.TrimSpace(name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: lock codes named %q: %w", name, err)
	}
	slices.SortFunc(codes, func(a, b LockCode) int {
		return cmp.Or(cmp.Compare(a.PropertyID, b.PropertyID), strings.Compare(a.ID, b.ID))
	})
	return codes, nil
}

// SetBulkMoveOut records that item seq's move-out was carried out as move-out moveOutID.
func (s *Store) SetBulkMoveOut(ctx context.Context, id int64, seq int, moveOutID int64, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE bulk_items SET state = ?, error = '', ref_id = ?, updated_at = ?
		WHERE bulk_id = ? AND seq = ?`, BulkSent, moveOutID, ms(at), id, seq); err != nil {
		return fmt.Errorf("db: link bulk action %d item %d to move-out %d: %w", id, seq, moveOutID, err)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE bulk_actions SET heartbeat_at = ? WHERE id = ?`, ms(at), id)
	return err
}

// TouchBulkAction stamps a running action's heartbeat: its worker is alive, even while it waits for a free slot.
func (s *Store) TouchBulkAction(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE bulk_actions SET heartbeat_at = ? WHERE id = ? AND finished_at IS NULL`,
		ms(at), id); err != nil {
		return fmt.Errorf("db: touch bulk action %d: %w", id, err)
	}
	return nil
}
