package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
)

// SessionOptions sets the timeouts and the clock. Zero values take the defaults.
type SessionOptions struct {
	Idle     time.Duration // default 30 min without a request
	Absolute time.Duration // default 12 h after sign-in
	Now      func() time.Time
}

// Sessions holds the sign-in sessions apart from their cookie: the browser keeps only a random token, the sessions
// table holds its SHA-256, so a session can be revoked (logout, password change, disabled user) and a stolen
// database yields no cookies. It decides which token still names a live session, within the idle and absolute
// timeouts, and remembers those answers while no revocation happened.
type Sessions struct {
	store    *db.Store
	logger   *slog.Logger
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
	cache    sessionCache // SessionUser answers, valid while the store's AuthVersion stands (SQLite only)

	// OnRevoke closes a revoked session's live streams, OnRevokeUser every live stream of a person whose sessions or
	// rights changed. Set once before serving (the live broker does it); nil tells nobody.
	OnRevoke     func(sessionID string)
	OnRevokeUser func(userID int64)
}

// NewSessions returns the session rules over store.
func NewSessions(logger *slog.Logger, store *db.Store, opts SessionOptions) *Sessions {
	s := &Sessions{store: store, logger: logger, idle: opts.Idle, absolute: opts.Absolute, now: opts.Now}
	if s.idle == 0 {
		s.idle = 30 * time.Minute
	}
	if s.absolute == 0 {
		s.absolute = 12 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Now is the sessions' clock, which sign-in throttles and account changes share so tests move one clock.
func (s *Sessions) Now() time.Time { return s.now() }

// Absolute is how long a session lasts after sign-in, whatever the activity; the cookie lives as long.
func (s *Sessions) Absolute() time.Duration { return s.absolute }

// HashToken is the stored form of a bearer token (a session cookie's, a guest link's): only its SHA-256 is kept,
// so a copy of the database opens nothing.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Start creates a new session for u, signed in from ip with userAgent, and returns the token its cookie carries. A
// new token at every sign-in: no fixation.
func (s *Sessions) Start(ctx context.Context, u db.User, ip, userAgent string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	err := s.store.CreateSession(ctx, db.Session{ID: HashToken(token), UserID: u.ID, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(s.absolute), IP: ip, UserAgent: clip.String(userAgent, 200)})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Revoke ends the session id (sign-out) and closes its live streams.
func (s *Sessions) Revoke(ctx context.Context, id string) error {
	if err := s.store.RevokeSession(ctx, id, s.now()); err != nil {
		return err
	}
	if s.OnRevoke != nil {
		s.OnRevoke(id)
	}
	return nil
}

// UserChanged closes every live stream of userID after their password, role or disabled flag changed, so no open
// page keeps the old rights. The store has already revoked what needed revoking.
func (s *Sessions) UserChanged(userID int64) {
	if s.OnRevokeUser != nil {
		s.OnRevokeUser(userID)
	}
}

// Lookup returns the live session token names and its person. An unknown, expired, idle or revoked token, or a
// disabled person, is db.ErrNotFound; any other error is the database's.
func (s *Sessions) Lookup(ctx context.Context, token string) (db.Session, db.User, error) {
	id, now := HashToken(token), s.now()
	// Read before the query: a revocation during it makes the answer stale. Not local (PostgreSQL): another
	// instance's revocation would not move it, so every lookup reads the session row (one indexed query).
	version, local := s.store.AuthVersion()
	session, user, cached := db.Session{}, db.User{}, false
	if local {
		session, user, cached = s.cache.get(id, version, now, s.idle)
	}
	if !cached {
		var err error
		session, user, err = s.store.SessionUser(ctx, id, now, s.idle)
		if err != nil {
			return db.Session{}, db.User{}, err
		}
		if local {
			s.cache.put(id, version, session, user)
		}
	}
	if now.Sub(session.LastSeenAt) > time.Minute { // one write a minute per session keeps the idle clock honest enough
		if err := s.store.TouchSession(ctx, id, now); err != nil {
			s.logger.Warn("touch session", slog.Any("err", err))
		}
		s.cache.forget(id) // the next request reads the new LastSeenAt
	}
	return session, user, nil
}
