package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Session is a signed-in browser. ID is the SHA-256 hex of the cookie token: the raw token is
// never stored, so a leaked database does not hand out live sessions.
type Session struct {
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end, whatever the activity
	RevokedAt  *time.Time
	IP         string
	UserAgent  string
}

type sessionRow struct {
	ID         string        `db:"id"`
	UserID     int64         `db:"user_id"`
	CreatedAt  int64         `db:"created_at"`
	LastSeenAt int64         `db:"last_seen_at"`
	ExpiresAt  int64         `db:"expires_at"`
	RevokedAt  sql.NullInt64 `db:"revoked_at"`
	IP         string        `db:"ip"`
	UserAgent  string        `db:"user_agent"`
}

func (r sessionRow) session() Session {
	return Session{
		ID: r.ID, UserID: r.UserID, CreatedAt: fromMS(r.CreatedAt), LastSeenAt: fromMS(r.LastSeenAt),
		ExpiresAt: fromMS(r.ExpiresAt), RevokedAt: fromNullMS(r.RevokedAt), IP: r.IP, UserAgent: r.UserAgent,
	}
}

// validSessionID reports whether id looks like a lower-case SHA-256 hex digest, which keeps raw
// tokens (or anything else) from being stored as ids by mistake.
func validSessionID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CreateSession stores a new session. Its ID must be the SHA-256 hex of the cookie token; an
// existing ID is ErrConflict and an unknown user ErrNotFound. Zero CreatedAt means now, zero
// LastSeenAt means CreatedAt.
func (s *Store) CreateSession(ctx context.Context, sess Session) error {
	if !validSessionID(sess.ID) {
		return errors.New("db: create session: id must be the SHA-256 hex of the token")
	}
	if sess.ExpiresAt.IsZero() {
		return fmt.Errorf("db: create session for user %d: ExpiresAt is required", sess.UserID)
	}
	sess.CreatedAt = nowOr(sess.CreatedAt)
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions
		(id, user_id, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		sess.ID, sess.UserID, ms(sess.CreatedAt), ms(sess.LastSeenAt), ms(sess.ExpiresAt),
		nullMS(sess.RevokedAt), sess.IP, sess.UserAgent)
	switch {
	case isUnique(err):
		return fmt.Errorf("db: create session for user %d: %w", sess.UserID, ErrConflict)
	case isForeignKey(err):
		return fmt.Errorf("db: create session for user %d: user: %w", sess.UserID, ErrNotFound)
	case err != nil:
		return fmt.Errorf("db: create session for user %d: %w", sess.UserID, err)
	}
	return nil
}

// SessionUser returns a live session and its user. It answers ErrNotFound when the session is
// missing, revoked, at or past ExpiresAt, idle for longer than idle (measured from LastSeenAt), or
// when its user is disabled — the caller cannot tell which, and need not.
func (s *Store) SessionUser(ctx context.Context, id string, now time.Time, idle time.Duration) (Session, User, error) {
	if idle <= 0 {
		return Session{}, User{}, errors.New("db: session user: idle timeout must be positive")
	}
	var r struct {
		sessionRow
		User userRow `db:"u"`
	}
	err := s.r.GetContext(ctx, &r, `SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at,
			s.revoked_at, s.ip, s.user_agent,
			u.id AS "u.id", u.email AS "u.email", u.name AS "u.name", u.role AS "u.role",
			u.password_hash AS "u.password_hash", u.disabled AS "u.disabled", u.created_at AS "u.created_at",
			u.updated_at AS "u.updated_at", u.password_changed_at AS "u.password_changed_at"
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at >= ? AND u.disabled = 0`,
		id, ms(now), ms(now.Add(-idle)))
	if err != nil {
		return Session{}, User{}, fmt.Errorf("db: session: %w", notFound(err))
	}
	return r.session(), r.User.user(), nil
}

// TouchSession records activity on a live (unrevoked) session; LastSeenAt never moves backwards.
// Each call is a durable write, so callers touch at most once a minute or so per session. (CASE, not SQLite's
// two-argument max(), which PostgreSQL spells greatest(): one query for both dialects.)
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = CASE WHEN last_seen_at > ? THEN last_seen_at ELSE ? END
		WHERE id = ? AND revoked_at IS NULL`, ms(now), ms(now), id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: touch session: %w", err)
	}
	return nil
}

// RevokeSession ends one session (sign-out). Revoking a revoked session keeps its first RevokedAt;
// an unknown id is ErrNotFound.
func (s *Store) RevokeSession(ctx context.Context, id string, now time.Time) error {
	defer s.auth.bump()
	res, err := s.w.ExecContext(ctx,
		`UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, ms(now), id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: revoke session: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every live session of a user (e.g. "sign out everywhere").
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, now time.Time) error {
	defer s.auth.bump()
	if err := revokeUserSessions(ctx, s.w, userID, now); err != nil {
		return fmt.Errorf("db: revoke sessions of user %d: %w", userID, err)
	}
	return nil
}

func revokeUserSessions(ctx context.Context, e sqlx.ExecerContext, userID int64, now time.Time) error {
	_, err := e.ExecContext(ctx,
		`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, ms(now), userID)
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry and revoked ones, neither of
// which can ever be used again, and returns how many it removed. Idle sessions stay until one of
// those happens, since the idle limit is the caller's setting.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	defer s.auth.bump()
	res, err := s.w.ExecContext(ctx,
		`DELETE FROM sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL`, ms(now))
	if err != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", err)
	}
	return n, nil
}
