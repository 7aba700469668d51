package db

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// newSession stores a session for userID created at now, valid 12 hours, and returns its id.
func newSession(t *testing.T, s *Store, userID int64, now time.Time) string {
	t.Helper()
	sum := sha256.Sum256([]byte(rand.Text()))
	id := hex.EncodeToString(sum[:])
	must(t, s.CreateSession(t.Context(), Session{ID: id, UserID: userID, CreatedAt: now,
		ExpiresAt: now.Add(12 * time.Hour), IP: "192.0.2.1", UserAgent: "test"}))
	return id
}

// rawSession reads a session whatever its state.
func rawSession(t *testing.T, s *Store, id string) Session {
	t.Helper()
	var r sessionRow
	must(t, s.r.GetContext(t.Context(), &r, `SELECT id, user_id, created_at, last_seen_at, expires_at, revoked_at,
		ip, user_agent FROM sessions WHERE id = ?`, id))
	return r.session()
}

func TestSessionUserExpiryRules(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, User{Email: "u@example.com", Name: "U", Role: RoleStaff})
		must(t, err)
		off, err := s.CreateUser(ctx, User{Email: "off@example.com", Role: RoleStaff, Disabled: true})
		must(t, err)
		const idle = 30 * time.Minute
		created := t0
		live := newSession(t, s, u.ID, created)
		revoked := newSession(t, s, u.ID, created)
		must(t, s.RevokeSession(ctx, revoked, created.Add(time.Minute)))
		disabled := newSession(t, s, off.ID, created)

		tests := []struct {
			name string
			id   string
			now  time.Time
			ok   bool
		}{
			{"fresh", live, created, true},
			{"idle exactly at the limit", live, created.Add(idle), true},
			{"idle past the limit", live, created.Add(idle + time.Millisecond), false},
			{"revoked", revoked, created.Add(2 * time.Minute), false},
			{"user disabled", disabled, created, false},
			{"unknown id", strings.Repeat("ab", 32), created, false},
			{"raw token instead of hash", "not-a-hash", created, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sess, user, err := s.SessionUser(ctx, tt.id, tt.now, idle)
				if !tt.ok {
					wantErr(t, err, ErrNotFound)
					return
				}
				must(t, err)
				if sess.ID != tt.id || sess.UserID != u.ID || user.ID != u.ID || user.Email != "u@example.com" ||
					sess.IP != "192.0.2.1" || !sess.ExpiresAt.Equal(created.Add(12*time.Hour)) || sess.RevokedAt != nil {
					t.Fatalf("SessionUser = %+v, %+v", sess, user)
				}
			})
		}

		t.Run("absolute expiry despite activity", func(t *testing.T) {
			end := created.Add(12 * time.Hour)
			for at := created; at.Before(end); at = at.Add(20 * time.Minute) {
				must(t, s.TouchSession(ctx, live, at))
			}
			if _, _, err := s.SessionUser(ctx, live, end.Add(-time.Millisecond), idle); err != nil {
				t.Fatalf("just before ExpiresAt: %v", err)
			}
			_, _, err := s.SessionUser(ctx, live, end, idle)
			wantErr(t, err, ErrNotFound)
		})
		if _, _, err := s.SessionUser(ctx, live, created, 0); err == nil {
			t.Error("a zero idle timeout was accepted")
		}
	})
}

func TestCreateSessionErrors(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, User{Email: "u@example.com", Role: RoleStaff})
		must(t, err)
		id := newSession(t, s, u.ID, t0)
		valid := Session{ID: strings.Repeat("0a", 32), UserID: u.ID, ExpiresAt: t0.Add(time.Hour)}
		tests := []struct {
			name   string
			mutate func(*Session)
			target error
		}{
			{"raw token", func(s *Session) { s.ID = "cookie-token-value" }, nil},
			{"upper-case hex", func(s *Session) { s.ID = strings.ToUpper(s.ID) }, nil},
			{"no expiry", func(s *Session) { s.ExpiresAt = time.Time{} }, nil},
			{"unknown user", func(s *Session) { s.UserID = 999 }, ErrNotFound},
			{"duplicate id", func(s *Session) { s.ID = id }, ErrConflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sess := valid
				tt.mutate(&sess)
				err := s.CreateSession(ctx, sess)
				if err == nil {
					t.Fatal("accepted")
				}
				if tt.target != nil {
					wantErr(t, err, tt.target)
				}
			})
		}
	})
}

func TestTouchAndRevokeSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, User{Email: "u@example.com", Role: RoleStaff})
		must(t, err)
		other, err := s.CreateUser(ctx, User{Email: "o@example.com", Role: RoleStaff})
		must(t, err)
		a, b, c := newSession(t, s, u.ID, t0), newSession(t, s, u.ID, t0), newSession(t, s, other.ID, t0)

		must(t, s.TouchSession(ctx, a, t0.Add(10*time.Minute)))
		must(t, s.TouchSession(ctx, a, t0.Add(5*time.Minute))) // out of order: must not move back
		if got := rawSession(t, s, a).LastSeenAt; !got.Equal(t0.Add(10 * time.Minute)) {
			t.Fatalf("LastSeenAt = %v", got)
		}
		wantErr(t, s.TouchSession(ctx, strings.Repeat("ff", 32), t0), ErrNotFound)

		must(t, s.RevokeSession(ctx, a, t0.Add(time.Hour)))
		must(t, s.RevokeSession(ctx, a, t0.Add(2*time.Hour)))
		if got := rawSession(t, s, a).RevokedAt; got == nil || !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("RevokedAt = %v, want the first revocation time", got)
		}
		wantErr(t, s.TouchSession(ctx, a, t0.Add(3*time.Hour)), ErrNotFound)
		wantErr(t, s.RevokeSession(ctx, strings.Repeat("ff", 32), t0), ErrNotFound)

		must(t, s.RevokeUserSessions(ctx, u.ID, t0.Add(time.Hour)))
		if rawSession(t, s, b).RevokedAt == nil {
			t.Error("RevokeUserSessions left a session live")
		}
		if rawSession(t, s, c).RevokedAt != nil {
			t.Error("RevokeUserSessions revoked another user's session")
		}
		must(t, s.RevokeUserSessions(ctx, 999, t0)) // nothing to revoke is not an error
	})
}

func TestDeleteExpiredSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, User{Email: "u@example.com", Role: RoleStaff})
		must(t, err)
		old := newSession(t, s, u.ID, t0.Add(-13*time.Hour)) // expired an hour before t0
		revoked := newSession(t, s, u.ID, t0)
		must(t, s.RevokeSession(ctx, revoked, t0))
		live := newSession(t, s, u.ID, t0)

		n, err := s.DeleteExpiredSessions(ctx, t0)
		if err != nil || n != 2 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
		}
		for _, id := range []string{old, revoked} {
			wantErr(t, s.TouchSession(ctx, id, t0), ErrNotFound)
		}
		if _, _, err := s.SessionUser(ctx, live, t0, time.Hour); err != nil {
			t.Fatalf("live session deleted: %v", err)
		}
		if n, _ := s.DeleteExpiredSessions(ctx, t0); n != 0 {
			t.Errorf("second run deleted %d", n)
		}
	})
}
