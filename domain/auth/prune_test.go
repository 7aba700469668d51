package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// lockedBuffer collects log lines written from the pruner's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPruner: Run deletes an expired and a revoked session, keeps a live one, prunes a throttle bucket idle for
// two hours but not a fresh one, logs how many went, and returns when
// its context ends.
func TestPruner(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	u := newUser(t, store, "staff@example.com", db.RoleStaff)
	ctx := t.Context()
	now := time.Now()
	expired, revoked := HashToken("expired"), HashToken("revoked")
	for _, sess := range []db.Session{
		{ID: expired, UserID: u.ID, CreatedAt: now.Add(-13 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
		{ID: revoked, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
	} {
		if err := store.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.RevokeSession(ctx, revoked, now); err != nil {
		t.Fatal(err)
	}
	s := NewSessions(slog.New(slog.DiscardHandler), store, SessionOptions{})
	token, err := s.Start(ctx, u, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}

	// Throttle buckets: one idle for two hours (pruned), one just used (kept).
	if err := store.SpendThrottle(ctx, "login.ip", "old", time.Second, 5, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := store.SpendThrottle(ctx, "login.ip", "new", time.Second, 5, now); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	p := NewPruner(slog.New(slog.NewTextHandler(&logs, nil)), store)
	if p.every != time.Hour {
		t.Errorf("prunes every %v, want hourly", p.every)
	}
	p.every = 10 * time.Millisecond
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(runCtx)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "removed=2") {
		if time.Now().After(deadline) {
			t.Fatalf("no pruning logged; logs: %q", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, id := range []string{expired, revoked} {
		if err := store.TouchSession(ctx, id, now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("session %s still stored: %v", id[:8], err)
		}
	}
	if _, _, err := s.Lookup(ctx, token); err != nil {
		t.Errorf("the live session was pruned: %v", err)
	}
	if _, err := store.ThrottleTAT(ctx, "login.ip", "old"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a throttle bucket idle for two hours was kept: %v", err)
	}
	if _, err := store.ThrottleTAT(ctx, "login.ip", "new"); err != nil {
		t.Errorf("a fresh throttle bucket was pruned: %v", err)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
