package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MarkLockCodeDeleted records that a code's deletion was sent upstream at at: every lock not already rid of it goes
// to removing, or straight to removed when gone is true (the upstream no longer has the code at all). The code
// stays in the mirror, shown as removed, for LockCodeRetention. An unknown id is ErrNotFound.
func (s *Store) MarkLockCodeDeleted(ctx context.Context, id string, at time.Time, gone bool) error {
	err := s.inTx(ctx, func(tx *dbTx) error { return markDeleted(ctx, tx, id, at, gone) })
	if err != nil {
		return fmt.Errorf("db: mark lock code %s deleted: %w", id, err)
	}
	return nil
}

func markDeleted(ctx context.Context, tx *dbTx, id string, at time.Time, gone bool) error {
	res, err := tx.ExecContext(ctx, `UPDATE lock_codes SET deleted_at = coalesce(deleted_at, ?) WHERE id = ?`, ms(at), id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return err
	}
	status, slotClause := LockCodeRemoving, ``
	if gone {
		status, slotClause = LockCodeRemoved, `, slot = NULL`
	}
	_, err = tx.ExecContext(ctx, `UPDATE lock_code_devices SET status = ?, error = '', reported_at = ?,
		checked_at = CASE WHEN CAST(? AS BIGINT) > checked_at THEN CAST(? AS BIGINT) ELSE checked_at END`+slotClause+`
		WHERE code_id = ? AND status <> 'removed'`, status, ms(at), ms(at), ms(at), id)
	return err
}

// ApplyLockCodeSync makes the mirror's codes of one property match a full upstream list read that started at
// fetchedAt, in one transaction: it upserts every listed code, marks removed every mirrored code the list no longer
// has (unless something newer than fetchedAt refreshed it meanwhile), and purges codes deleted more than
// LockCodeRetention before fetchedAt. It returns the ids of the codes it found gone.
func (s *Store) ApplyLockCodeSync(ctx context.Context, propertyID int64, codes []LockCode, fetchedAt time.Time) ([]string, error) {
	var gone []string
	err := s.inTx(ctx, func(tx *dbTx) error {
		listed := make(map[string]bool, len(codes))
		for _, c := range codes {
			if c.PropertyID != propertyID {
				return fmt.Errorf("code %s belongs to property %d, not %d", c.ID, c.PropertyID, propertyID)
			}
			listed[c.ID] = true
			if err := upsertLockCode(ctx, tx, c); err != nil {
				return fmt.Errorf("code %s: %w", c.ID, err)
			}
		}
		var stale []string
		if err := tx.SelectContext(ctx, &stale, `SELECT c.id FROM lock_codes c WHERE c.property_id = ?
			AND c.synced_at < ? AND (c.deleted_at IS NULL OR EXISTS (SELECT 1 FROM lock_code_devices lcd
				WHERE lcd.code_id = c.id AND lcd.status <> 'removed' AND lcd.checked_at < ?))`,
			propertyID, ms(fetchedAt), ms(fetchedAt)); err != nil {
			return err
		}
		for _, id := range stale {
			if listed[id] {
				continue
			}
			if err := markDeleted(ctx, tx, id, fetchedAt, true); err != nil {
				return fmt.Errorf("code %s: %w", id, err)
			}
			gone = append(gone, id)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM lock_codes WHERE property_id = ? AND deleted_at IS NOT NULL
			AND deleted_at < ?`, propertyID, ms(fetchedAt.Add(-LockCodeRetention)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: apply lock-code sync of property %d: %w", propertyID, err)
	}
	return gone, nil
}

// PendingLockCodeIDs returns up to limit codes that still have a lock in flight (setting or removing), the ones
// checked longest ago first.
func (s *Store) PendingLockCodeIDs(ctx context.Context, limit int) ([]string, error) {
	ids := []string{}
	err := s.r.SelectContext(ctx, &ids, `SELECT code_id FROM lock_code_devices
		WHERE status IN ('setting', 'removing') GROUP BY code_id ORDER BY min(checked_at), code_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: pending lock codes: %w", err)
	}
	return ids, nil
}

// CodeUse is a limited-use code's count after CountLockCodeUse.
type CodeUse struct {
	Counted bool // this activity was not counted before
	Uses    int
	MaxUses int
	Deleted bool // the code's deletion was already asked for or noticed
}

// CountLockCodeUse counts one keypad entry, reported by activity activityID, against a code, once: the same
// activity told again (a duplicate delivery, a re-processed inbox entry) changes nothing. An unknown code is
// ErrNotFound.
func (s *Store) CountLockCodeUse(ctx context.Context, codeID string, activityID int64, at time.Time) (CodeUse, error) {
	var u CodeUse
	err := s.inTx(ctx, func(tx *dbTx) error {
		var row struct {
			Uses      int           `db:"uses"`
			MaxUses   int           `db:"max_uses"`
			DeletedAt sql.NullInt64 `db:"deleted_at"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT uses, max_uses, deleted_at FROM lock_codes WHERE id = ?`, codeID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO lock_code_uses (code_id, activity_id, used_at) VALUES (?, ?, ?)
			ON CONFLICT (code_id, activity_id) DO NOTHING`, codeID, activityID, ms(at))
		if err != nil {
			return err
		}
		u = CodeUse{Uses: row.Uses, MaxUses: row.MaxUses, Deleted: row.DeletedAt.Valid}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := tx.ExecContext(ctx, `UPDATE lock_codes SET uses = uses + 1 WHERE id = ?`, codeID); err != nil {
				return err
			}
			u.Counted, u.Uses = true, u.Uses+1
		}
		return nil
	})
	if err != nil {
		return CodeUse{}, fmt.Errorf("db: count a use of lock code %s: %w", codeID, err)
	}
	return u, nil
}

// LimitedCodesOn returns the ids of the live limited-use codes named name that are set (or being set) on a
// device: the codes a keypad entry reported under that name may have used. One indexed read, since every keypad
// webhook asks.
func (s *Store) LimitedCodesOn(ctx context.Context, deviceID, name string) ([]string, error) {
	ids := []string{}
	err := s.r.SelectContext(ctx, &ids, `SELECT c.id FROM lock_code_devices lcd JOIN lock_codes c ON c.id = lcd.code_id
		WHERE lcd.device_id = ? AND lcd.status IN ('set', 'setting') AND c.name = ? AND c.max_uses > 0
			AND c.deleted_at IS NULL ORDER BY c.id`, deviceID, name)
	if err != nil {
		return nil, fmt.Errorf("db: limited-use codes on lock %s: %w", deviceID, err)
	}
	return ids, nil
}
