package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Invitation statuses, as the upstream spells them.
const (
	InvitationActive  = "active"
	InvitationRemoved = "removed"
)

// Invitation mirrors an upstream resident invitation. FromDate and ToDate are civil dates (YYYY-MM-DD) in the
// property's zone; ToDate is empty when the invitation is open-ended. The resident's lock code is LockCodeID.
type Invitation struct {
	ID         int64
	PropertyID int64
	Email      string
	Name       string
	FromDate   string
	ToDate     string
	Status     string
	LockCodeID string
	CreatedBy  *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SyncedAt   time.Time
}

type invitationRow struct {
	ID         int64         `db:"id"`
	PropertyID int64         `db:"property_id"`
	Email      string        `db:"email"`
	Name       string        `db:"name"`
	FromDate   string        `db:"from_date"`
	ToDate     string        `db:"to_date"`
	Status     string        `db:"status"`
	LockCodeID string        `db:"lock_code_id"`
	CreatedBy  sql.NullInt64 `db:"created_by"`
	CreatedAt  int64         `db:"created_at"`
	UpdatedAt  int64         `db:"updated_at"`
	SyncedAt   int64         `db:"synced_at"`
}

const invitationCols = `id, property_id, email, name, from_date, to_date, status, lock_code_id, created_by,
	created_at, updated_at, synced_at`

func (r invitationRow) invitation() Invitation {
	return Invitation{ID: r.ID, PropertyID: r.PropertyID, Email: r.Email, Name: r.Name, FromDate: r.FromDate,
		ToDate: r.ToDate, Status: r.Status, LockCodeID: r.LockCodeID, CreatedBy: fromNullInt64(r.CreatedBy),
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt), SyncedAt: fromMS(r.SyncedAt)}
}

const upsertInvitationSQL = `INSERT INTO invitations (` + invitationCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		property_id = excluded.property_id, email = excluded.email, name = excluded.name,
		from_date = excluded.from_date, to_date = excluded.to_date, status = excluded.status,
		lock_code_id = CASE WHEN excluded.lock_code_id <> '' THEN excluded.lock_code_id ELSE invitations.lock_code_id END,
		created_by = coalesce(invitations.created_by, excluded.created_by),
		created_at = excluded.created_at, updated_at = excluded.updated_at, synced_at = excluded.synced_at`

func (i Invitation) upsertArgs() []any {
	return []any{i.ID, i.PropertyID, i.Email, i.Name, i.FromDate, i.ToDate, i.Status, i.LockCodeID,
		nullInt64(i.CreatedBy), ms(nowOr(i.CreatedAt)), ms(nowOr(i.UpdatedAt)), ms(nowOr(i.SyncedAt))}
}

// UpsertInvitation stores what the upstream answered for one invitation, with whom its code stands for (see
// UpsertReservation).
func (s *Store) UpsertInvitation(ctx context.Context, i Invitation) error {
	err := s.inTx(ctx, func(tx *dbTx) error { return upsertInvitation(ctx, tx, i) })
	if isForeignKey(err) {
		return fmt.Errorf("db: upsert invitation %d: property %d: %w", i.ID, i.PropertyID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: upsert invitation %d: %w", i.ID, err)
	}
	return nil
}

func upsertInvitation(ctx context.Context, tx *dbTx, i Invitation) error {
	if _, err := tx.ExecContext(ctx, upsertInvitationSQL, i.upsertArgs()...); err != nil {
		return err
	}
	return recordPerson(ctx, tx, invitationPerson(i))
}

// Invitation returns one mirrored invitation.
func (s *Store) Invitation(ctx context.Context, id int64) (Invitation, error) {
	var row invitationRow
	err := s.r.GetContext(ctx, &row, `SELECT `+invitationCols+` FROM invitations WHERE id = ?`, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("db: invitation %d: %w", id, notFound(err))
	}
	return row.invitation(), nil
}

// InvitationsByProperty returns a property's invitations, active ones first, newest first within each group.
func (s *Store) InvitationsByProperty(ctx context.Context, propertyID int64) ([]Invitation, error) {
	var rows []invitationRow
	err := s.r.SelectContext(ctx, &rows, `SELECT `+invitationCols+` FROM invitations WHERE property_id = ?`, propertyID)
	if err != nil {
		return nil, fmt.Errorf("db: invitations of property %d: %w", propertyID, err)
	}
	out := invitations(rows)
	// Sorted here, not by SQLite: a property has few invitations, and a sorter costs more than the lookup.
	slices.SortFunc(out, func(a, b Invitation) int {
		activeFirst := func(i Invitation) int {
			if i.Status == InvitationActive {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(activeFirst(a), activeFirst(b)), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// ActiveInvitations returns the active invitations a move-out of email (MoveOutAll for everyone) would remove.
func (s *Store) ActiveInvitations(ctx context.Context, propertyID int64, email string) ([]Invitation, error) {
	q := `SELECT ` + invitationCols + ` FROM invitations WHERE property_id = ? AND status = 'active'`
	args := []any{propertyID}
	if email != MoveOutAll {
		q += ` AND lower(email) = ?`
		args = append(args, strings.ToLower(email))
	}
	var rows []invitationRow
	if err := s.r.SelectContext(ctx, &rows, q+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("db: active invitations of property %d: %w", propertyID, err)
	}
	return invitations(rows), nil
}

func invitations(rows []invitationRow) []Invitation {
	out := make([]Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.invitation()
	}
	return out
}

// ReplacePropertyInvitations makes the mirrored invitations of a property equal to list (a complete upstream
// list) and stamps the refresh, in one transaction.
func (s *Store) ReplacePropertyInvitations(ctx context.Context, propertyID int64, list []Invitation, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		keep := make(map[int64]bool, len(list))
		for _, inv := range list {
			if inv.PropertyID != propertyID {
				return fmt.Errorf("invitation %d belongs to property %d", inv.ID, inv.PropertyID)
			}
			inv.SyncedAt = at
			if err := upsertInvitation(ctx, tx, inv); err != nil {
				return fmt.Errorf("invitation %d: %w", inv.ID, err)
			}
			keep[inv.ID] = true
		}
		if err := deleteMissingOf(ctx, tx, "invitations", propertyID, keep); err != nil {
			return err
		}
		return stampRefresh(ctx, tx, fmt.Sprintf("invitations:%d", propertyID), at)
	})
	if err != nil {
		return fmt.Errorf("db: replace invitations of property %d: %w", propertyID, err)
	}
	return nil
}

// MergeInvitations upserts invitations read from an upstream list across properties, skipping those whose property
// the mirror does not have (yet), and stamps scope. It deletes nothing: a list across every property may be capped.
func (s *Store) MergeInvitations(ctx context.Context, list []Invitation, scope string, at time.Time) (skipped int, err error) {
	err = s.inTx(ctx, func(tx *dbTx) error {
		var props []int64
		if err := tx.SelectContext(ctx, &props, `SELECT id FROM properties`); err != nil {
			return err
		}
		known := make(map[int64]bool, len(props))
		for _, id := range props {
			known[id] = true
		}
		for _, inv := range list {
			if !known[inv.PropertyID] {
				skipped++
				continue
			}
			inv.SyncedAt = at
			if err := upsertInvitation(ctx, tx, inv); err != nil {
				return fmt.Errorf("invitation %d: %w", inv.ID, err)
			}
		}
		return stampRefresh(ctx, tx, scope, at)
	})
	if err != nil {
		return 0, fmt.Errorf("db: merge invitations: %w", err)
	}
	return skipped, nil
}

// MoveOutAll is the move-out "email" that means every resident of the property, as the upstream spells it.
const MoveOutAll = "all"
