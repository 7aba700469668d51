package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Kinds of move-out items.
const (
	MoveOutInvitation = "invitation"
	MoveOutGuestLink  = "guest_link"
)

// MoveOut is one move-out: a resident (Email) or everyone (MoveOutAll) leaving a property, with what it removed.
type MoveOut struct {
	ID          int64
	PropertyID  int64
	Email       string
	RequestedBy *int64
	RequestedAt time.Time
	CompletedAt *time.Time // when the hardware confirmed every removal
	Items       []MoveOutItem
}

// MoveOutItem is one invitation or guest link a move-out removed, with the lock code whose removal from every lock
// the upstream must confirm (empty: there was no code, nothing to wait for).
type MoveOutItem struct {
	Kind        string // MoveOutInvitation or MoveOutGuestLink
	RefID       int64
	Label       string
	LockCodeID  string
	ConfirmedAt *time.Time
}

type moveOutRow struct {
	ID          int64         `db:"id"`
	PropertyID  int64         `db:"property_id"`
	Email       string        `db:"email"`
	RequestedBy sql.NullInt64 `db:"requested_by"`
	RequestedAt int64         `db:"requested_at"`
	CompletedAt sql.NullInt64 `db:"completed_at"`
}

type moveOutItemRow struct {
	Kind        string        `db:"kind"`
	RefID       int64         `db:"ref_id"`
	Label       string        `db:"label"`
	LockCodeID  string        `db:"lock_code_id"`
	ConfirmedAt sql.NullInt64 `db:"confirmed_at"`
}

// RecordMoveOut stores a move-out the upstream carried out, in one transaction: the move-out and its items, the
// invitations marked removed and the guest links revoked (by RequestedBy, at RequestedAt). Items with no lock code
// are confirmed at once.
func (s *Store) RecordMoveOut(ctx context.Context, m MoveOut) (MoveOut, error) {
	at := ms(nowOr(m.RequestedAt))
	err := s.inTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &m.ID, `INSERT INTO move_outs (property_id, email, requested_by, requested_at)
			VALUES (?, ?, ?, ?) RETURNING id`, m.PropertyID, m.Email, nullInt64(m.RequestedBy), at); err != nil {
			return err
		}
		for i, it := range m.Items {
			var confirmed sql.NullInt64
			if it.LockCodeID == "" {
				confirmed = sql.NullInt64{Int64: at, Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO move_out_items (move_out_id, seq, kind, ref_id, label,
				lock_code_id, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, i, it.Kind, it.RefID, it.Label,
				it.LockCodeID, confirmed); err != nil {
				return fmt.Errorf("item %s %d: %w", it.Kind, it.RefID, err)
			}
			if err := applyMoveOutItem(ctx, tx, it, m.RequestedBy, at); err != nil {
				return err
			}
		}
		return completeIfConfirmed(ctx, tx, m.ID, at)
	})
	if err != nil {
		if isForeignKey(err) {
			err = fmt.Errorf("%w (property %d)", ErrNotFound, m.PropertyID)
		}
		return MoveOut{}, fmt.Errorf("db: record move-out at property %d: %w", m.PropertyID, err)
	}
	return s.MoveOut(ctx, m.ID)
}

func applyMoveOutItem(ctx context.Context, tx *dbTx, it MoveOutItem, by *int64, at int64) error {
	var err error
	switch it.Kind {
	case MoveOutInvitation:
		_, err = tx.ExecContext(ctx, `UPDATE invitations SET status = 'removed', updated_at = ? WHERE id = ?`, at, it.RefID)
	case MoveOutGuestLink:
		_, err = tx.ExecContext(ctx, `UPDATE guest_links SET revoked_at = coalesce(revoked_at, ?),
			revoked_by = CASE WHEN revoked_at IS NULL THEN ? ELSE revoked_by END WHERE id = ?`, at, nullInt64(by), it.RefID)
	default:
		err = fmt.Errorf("unknown item kind %q", it.Kind)
	}
	if err != nil {
		return fmt.Errorf("item %s %d: %w", it.Kind, it.RefID, err)
	}
	return nil
}

// completeIfConfirmed stamps the move-out complete once no item waits for the hardware.
func completeIfConfirmed(ctx context.Context, tx *dbTx, id, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE move_outs SET completed_at = ? WHERE id = ? AND completed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM move_out_items WHERE move_out_id = ? AND confirmed_at IS NULL)`, at, id, id)
	return err
}

// MoveOut returns a move-out with its items in the order they were recorded (seq: the position RecordMoveOut
// wrote; kind, ref_id only break ties between items from before migration 0012 on PostgreSQL).
func (s *Store) MoveOut(ctx context.Context, id int64) (MoveOut, error) {
	var row moveOutRow
	var items []moveOutItemRow
	err := s.readTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &row, `SELECT id, property_id, email, requested_by, requested_at, completed_at
			FROM move_outs WHERE id = ?`, id); err != nil {
			return notFound(err)
		}
		return tx.SelectContext(ctx, &items, `SELECT kind, ref_id, label, lock_code_id, confirmed_at
			FROM move_out_items WHERE move_out_id = ? ORDER BY seq, kind, ref_id`, id)
	})
	if err != nil {
		return MoveOut{}, fmt.Errorf("db: move-out %d: %w", id, err)
	}
	m := MoveOut{ID: row.ID, PropertyID: row.PropertyID, Email: row.Email, RequestedBy: fromNullInt64(row.RequestedBy),
		RequestedAt: fromMS(row.RequestedAt), CompletedAt: fromNullMS(row.CompletedAt)}
	for _, it := range items {
		m.Items = append(m.Items, MoveOutItem{Kind: it.Kind, RefID: it.RefID, Label: it.Label, LockCodeID: it.LockCodeID,
			ConfirmedAt: fromNullMS(it.ConfirmedAt)})
	}
	return m, nil
}

// ConfirmMoveOutCodes records that the hardware confirmed the removal of the given lock codes, and completes the
// move-out when nothing is left to wait for. Already confirmed items keep their first confirmation time.
func (s *Store) ConfirmMoveOutCodes(ctx context.Context, id int64, lockCodeIDs []string, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		for _, code := range lockCodeIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE move_out_items SET confirmed_at = ? WHERE move_out_id = ?
				AND lock_code_id = ? AND confirmed_at IS NULL`, ms(at), id, code); err != nil {
				return err
			}
		}
		return completeIfConfirmed(ctx, tx, id, ms(at))
	})
	if err != nil {
		return fmt.Errorf("db: confirm move-out %d: %w", id, err)
	}
	return nil
}
