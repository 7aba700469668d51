package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// APIToken is a credential for the read-only JSON API: a name, the role whose capabilities it carries, and the
// SHA-256 of the secret (the secret itself is shown once and never stored). Lookup is the token's public id part,
// which finds the row without comparing hashes across the table.
type APIToken struct {
	ID          int64
	Lookup      string // 16 characters
	Hash        string // lower-case SHA-256 hex of the whole token
	Name        string
	Role        Role
	CreatedBy   *int64 // the admin who created it; nil once that user is deleted
	CreatorName string // read only: the creator's name, else email; "" when unknown
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

type apiTokenRow struct {
	ID          int64          `db:"id"`
	Lookup      string         `db:"lookup"`
	Hash        string         `db:"hash"`
	Name        string         `db:"name"`
	Role        string         `db:"role"`
	CreatedBy   sql.NullInt64  `db:"created_by"`
	CreatorName sql.NullString `db:"creator_name"`
	CreatedAt   int64          `db:"created_at"`
	LastUsedAt  sql.NullInt64  `db:"last_used_at"`
	RevokedAt   sql.NullInt64  `db:"revoked_at"`
}

const apiTokenSelect = `SELECT t.id, t.lookup, t.hash, t.name, t.role, t.created_by,
	coalesce(nullif(u.name, ''), u.email) AS creator_name, t.created_at, t.last_used_at, t.revoked_at
	FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by `

func (r apiTokenRow) token() APIToken {
	return APIToken{ID: r.ID, Lookup: r.Lookup, Hash: r.Hash, Name: r.Name, Role: Role(r.Role),
		CreatedBy: fromNullInt64(r.CreatedBy), CreatorName: r.CreatorName.String, CreatedAt: fromMS(r.CreatedAt),
		LastUsedAt: fromNullMS(r.LastUsedAt), RevokedAt: fromNullMS(r.RevokedAt)}
}

// CreateAPIToken stores a new token and returns it with its id. Lookup must be 16 characters and Hash a SHA-256
// hex digest (never the raw token); a Lookup already taken is ErrConflict. Zero CreatedAt means now.
func (s *Store) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	if len(t.Lookup) != 16 || !validSessionID(t.Hash) {
		return APIToken{}, errors.New("db: create api token: lookup must be 16 characters and hash a SHA-256 hex digest")
	}
	if t.Name == "" {
		return APIToken{}, errors.New("db: create api token: name is required")
	}
	role, err := ParseRole(string(t.Role))
	if err != nil {
		return APIToken{}, fmt.Errorf("db: create api token %q: unknown role %q", t.Name, t.Role)
	}
	t.Role, t.CreatedAt = role, stored(nowOr(t.CreatedAt))
	err = s.w.GetContext(ctx, &t.ID, `INSERT INTO api_tokens (lookup, hash, name, role, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.Lookup, t.Hash, t.Name, string(t.Role), nullInt64(t.CreatedBy),
		ms(t.CreatedAt))
	switch {
	case isUnique(err):
		return APIToken{}, fmt.Errorf("db: create api token %q: %w", t.Name, ErrConflict)
	case isForeignKey(err):
		return APIToken{}, fmt.Errorf("db: create api token %q: creator %d: %w", t.Name, deref(t.CreatedBy), ErrNotFound)
	case err != nil:
		return APIToken{}, fmt.Errorf("db: create api token %q: %w", t.Name, err)
	}
	return t, nil
}

// APITokenByLookup returns the token (revoked or not) whose public id part is lookup, or ErrNotFound.
func (s *Store) APITokenByLookup(ctx context.Context, lookup string) (APIToken, error) {
	var r apiTokenRow
	if err := s.r.GetContext(ctx, &r, apiTokenSelect+`WHERE t.lookup = ?`, lookup); err != nil {
		return APIToken{}, fmt.Errorf("db: api token: %w", notFound(err))
	}
	return r.token(), nil
}

// APITokenByID returns one token, or ErrNotFound.
func (s *Store) APITokenByID(ctx context.Context, id int64) (APIToken, error) {
	var r apiTokenRow
	if err := s.r.GetContext(ctx, &r, apiTokenSelect+`WHERE t.id = ?`, id); err != nil {
		return APIToken{}, fmt.Errorf("db: api token %d: %w", id, notFound(err))
	}
	return r.token(), nil
}

// ListAPITokens returns every token, live ones first, newest first within each group.
func (s *Store) ListAPITokens(ctx context.Context) ([]APIToken, error) {
	rows := []apiTokenRow{}
	err := s.r.SelectContext(ctx, &rows, apiTokenSelect+
		`ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("db: list api tokens: %w", err)
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeAPIToken marks a live token revoked at at (zero: now). An unknown or already revoked token is ErrNotFound,
// so a second revocation keeps the first one's time.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		ms(nowOr(at)), id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: revoke api token %d: %w", id, err)
	}
	return nil
}

// TouchAPIToken records a use of the token at at, unless the stored last use is less than every before at: the
// callers keep their own throttle, and this one holds across instances. It reports whether it wrote.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time, every time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`, ms(at), id, ms(at.Add(-every)))
	if err != nil {
		return false, fmt.Errorf("db: touch api token %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
