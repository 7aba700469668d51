package auth

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	u := newUser(t, store, "staff@example.com", db.RoleStaff)
	clk := &clock{t: time.Now().UTC()}
	s := NewSessions(slog.New(slog.DiscardHandler), store, SessionOptions{Idle: 30 * time.Minute, Now: clk.Now})
	var revoked []string
	var changed []int64
	s.OnRevoke = func(id string) { revoked = append(revoked, id) }
	s.OnRevokeUser = func(id int64) { changed = append(changed, id) }
	ctx := t.Context()

	token, err := s.Start(ctx, u, "192.0.2.1", strings.Repeat("agent ", 100))
	if err != nil {
		t.Fatal(err)
	}
	session, got, err := s.Lookup(ctx, token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("Lookup = %+v, %v; want user %d", got, err, u.ID)
	}
	if session.ID == token || session.ID != HashToken(token) {
		t.Errorf("session id %q: want the token's SHA-256, never the token", session.ID)
	}
	if len(session.UserAgent) > 200 || session.IP != "192.0.2.1" {
		t.Errorf("stored ip %q, user agent of %d bytes", session.IP, len(session.UserAgent))
	}
	if _, _, err := s.Lookup(ctx, "never-issued"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown token: %v, want ErrNotFound", err)
	}

	s.UserChanged(u.ID)
	if len(changed) != 1 || changed[0] != u.ID {
		t.Errorf("OnRevokeUser got %v", changed)
	}
	if err := s.Revoke(ctx, session.ID); err != nil {
		t.Fatal(err)
	}
	if len(revoked) != 1 || revoked[0] != session.ID {
		t.Errorf("OnRevoke got %v", revoked)
	}
	if _, _, err := s.Lookup(ctx, token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("revoked session: %v, want ErrNotFound (the cache must not outlive a revocation)", err)
	}
}

// TestSessionTimeouts: activity keeps a session alive until its absolute limit; idleness ends it sooner.
func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	u := newUser(t, store, "staff@example.com", db.RoleStaff)
	clk := &clock{t: time.Now().UTC()}
	s := NewSessions(slog.New(slog.DiscardHandler), store, SessionOptions{Idle: 30 * time.Minute, Absolute: time.Hour, Now: clk.Now})
	ctx := t.Context()
	token, err := s.Start(ctx, u, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // each request within the idle limit keeps the session alive
		clk.Advance(20 * time.Minute)
		if _, _, err := s.Lookup(ctx, token); err != nil {
			t.Fatalf("active session refused: %v", err)
		}
	}
	clk.Advance(25 * time.Minute) // 65 min after sign-in, 25 after the last request
	if _, _, err := s.Lookup(ctx, token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("past the absolute limit: %v, want ErrNotFound", err)
	}

	token, err = s.Start(ctx, u, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Lookup(ctx, token); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * time.Minute)
	if _, _, err := s.Lookup(ctx, token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("idle past the limit: %v, want ErrNotFound", err)
	}
}
