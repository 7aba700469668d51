package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// GuestLink is a self-tour link for a guest with no account. Only the SHA-256 of its token is stored; the guest's
// code is the upstream lock code LockCodeID, valid exactly from StartsAt to EndsAt.
type GuestLink struct {
	ID           int64
	TokenHash    string // hex SHA-256 of the token
	InvitationID int64
	PropertyID   int64
	GuestName    string
	StartsAt     time.Time
	EndsAt       time.Time
	Instructions string
	AllowUnlock  bool
	LockCodeID   string
	CreatedBy    *int64
	CreatedAt    time.Time
	RevokedAt    *time.Time
	RevokedBy    *int64
	LastUsedAt   *time.Time
	Uses         int
	Unlocks      int
}

type guestLinkRow struct {
	ID           int64         `db:"id"`
	TokenHash    string        `db:"token_hash"`
	InvitationID int64         `db:"invitation_id"`
	PropertyID   int64         `db:"property_id"`
	GuestName    string        `db:"guest_name"`
	StartsAt     int64         `db:"starts_at"`
	EndsAt       int64         `db:"ends_at"`
	Instructions string        `db:"instructions"`
	AllowUnlock  bool          `db:"allow_unlock"`
	LockCodeID   string        `db:"lock_code_id"`
	CreatedBy    sql.NullInt64 `db:"created_by"`
	CreatedAt    int64         `db:"created_at"`
	RevokedAt    sql.NullInt64 `db:"revoked_at"`
	RevokedBy    sql.NullInt64 `db:"revoked_by"`
	LastUsedAt   sql.NullInt64 `db:"last_used_at"`
	Uses         int           `db:"uses"`
	Unlocks      int           `db:"unlocks"`
}

const guestLinkCols = `id, token_hash, invitation_id, property_id, guest_name, starts_at, ends_at, instructions,
	allow_unlock, lock_code_id, created_by, created_at, revoked_at, revoked_by, last_used_at, uses, unlocks`

func (r guestLinkRow) link() GuestLink {
	return GuestLink{ID: r.ID, TokenHash: r.TokenHash, InvitationID: r.InvitationID, PropertyID: r.PropertyID,
		GuestName: r.GuestName, StartsAt: fromMS(r.StartsAt), EndsAt: fromMS(r.EndsAt), Instructions: r.Instructions,
		AllowUnlock: r.AllowUnlock, LockCodeID: r.LockCodeID, CreatedBy: fromNullInt64(r.CreatedBy),
		CreatedAt: fromMS(r.CreatedAt), RevokedAt: fromNullMS(r.RevokedAt), RevokedBy: fromNullInt64(r.RevokedBy),
		LastUsedAt: fromNullMS(r.LastUsedAt), Uses: r.Uses, Unlocks: r.Unlocks}
}

// CreateGuestLink stores a new link and returns it with its id. A token hash already in use is ErrConflict; an
// unknown invitation or property is ErrNotFound.
func (s *Store) CreateGuestLink(ctx context.Context, l GuestLink) (GuestLink, error) {
	if len(l.TokenHash) != 64 {
		return GuestLink{}, fmt.Errorf("db: create guest link: token hash must be 64 hex characters")
	}
	if !l.EndsAt.After(l.StartsAt) {
		return GuestLink{}, fmt.Errorf("db: create guest link: window ends before it starts")
	}
	l.CreatedAt = nowOr(l.CreatedAt)
	err := s.w.GetContext(ctx, &l.ID, `INSERT INTO guest_links (token_hash, invitation_id, property_id, guest_name,
		starts_at, ends_at, instructions, allow_unlock, lock_code_id, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.TokenHash, l.InvitationID, l.PropertyID, l.GuestName,
		ms(l.StartsAt), ms(l.EndsAt), l.Instructions, l.AllowUnlock, l.LockCodeID, nullInt64(l.CreatedBy), ms(l.CreatedAt))
	switch {
	case isUnique(err):
		return GuestLink{}, fmt.Errorf("db: create guest link: %w", ErrConflict)
	case isForeignKey(err):
		return GuestLink{}, fmt.Errorf("db: create guest link for invitation %d: %w", l.InvitationID, ErrNotFound)
	case err != nil:
		return GuestLink{}, fmt.Errorf("db: create guest link: %w", err)
	}
	return s.GuestLink(ctx, l.ID)
}

// GuestLink returns one link by id.
func (s *Store) GuestLink(ctx context.Context, id int64) (GuestLink, error) {
	var row guestLinkRow
	if err := s.r.GetContext(ctx, &row, `SELECT `+guestLinkCols+` FROM guest_links WHERE id = ?`, id); err != nil {
		return GuestLink{}, fmt.Errorf("db: guest link %d: %w", id, notFound(err))
	}
	return row.link(), nil
}

// GuestLinkByTokenHash finds the link of a token (by its hash); ErrNotFound for an unknown token.
func (s *Store) GuestLinkByTokenHash(ctx context.Context, hash string) (GuestLink, error) {
	var row guestLinkRow
	if err := s.r.GetContext(ctx, &row, `SELECT `+guestLinkCols+` FROM guest_links WHERE token_hash = ?`, hash); err != nil {
		return GuestLink{}, fmt.Errorf("db: guest link by token: %w", notFound(err))
	}
	return row.link(), nil
}

// GuestLinksByInvitation returns an invitation's links, newest first.
func (s *Store) GuestLinksByInvitation(ctx context.Context, invitationID int64) ([]GuestLink, error) {
	var rows []guestLinkRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+guestLinkCols+` FROM guest_links WHERE invitation_id = ?
		ORDER BY id DESC`, invitationID); err != nil {
		return nil, fmt.Errorf("db: guest links of invitation %d: %w", invitationID, err)
	}
	out := make([]GuestLink, len(rows))
	for i, r := range rows {
		out[i] = r.link()
	}
	return out, nil
}

// RevokeGuestLink marks a link revoked (the first revocation wins; revoking again changes nothing).
func (s *Store) RevokeGuestLink(ctx context.Context, id int64, by *int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE guest_links SET revoked_at = coalesce(revoked_at, ?),
		revoked_by = CASE WHEN revoked_at IS NULL THEN ? ELSE revoked_by END WHERE id = ?`, ms(at), nullInt64(by), id)
	if err != nil {
		return fmt.Errorf("db: revoke guest link %d: %w", id, err)
	}
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("db: revoke guest link %d: %w", id, err)
	}
	return nil
}

// RecordGuestLinkUse counts one open of a link (and one unlock when unlock is true) at at.
func (s *Store) RecordGuestLinkUse(ctx context.Context, id int64, unlock bool, at time.Time) error {
	opens, unlocks := 1, 0
	if unlock {
		opens, unlocks = 0, 1
	}
	res, err := s.w.ExecContext(ctx, `UPDATE guest_links SET last_used_at = ?, uses = uses + ?, unlocks = unlocks + ?
		WHERE id = ?`, ms(at), opens, unlocks, id)
	if err != nil {
		return fmt.Errorf("db: record use of guest link %d: %w", id, err)
	}
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("db: record use of guest link %d: %w", id, err)
	}
	return nil
}
