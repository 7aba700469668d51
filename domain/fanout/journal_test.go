package fanout

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
)

// TestJournalWakesProjector: an append to the journal on instance A wakes the projector on instance B (the leader)
// through B's listener, once per batch, and B's own appends do not come back to it through the listener (its
// receiver woke it already).
func TestJournalWakesProjector(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	New(a, slog.New(slog.DiscardHandler), nil)
	fb := New(b, slog.New(slog.NewTextHandler(t.Output(), nil)), &recorder{rows: map[int64]int{}})
	var woken atomic.Int64
	fb.OnJournal(func() { woken.Add(1) })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); fb.Listen(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitUntil(t, "B's listener", func() bool { return listeners(t, admin) == 1 })

	appendOn := func(s *db.Store, n int) {
		t.Helper()
		key := sha256.Sum256(fmt.Appendf(nil, "journal-wake-%d", n))
		if _, err := s.Append(t.Context(), db.JournalEntry{DedupeKey: key, ReceivedAt: time.Now(), Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	appendOn(b, 1)
	appendOn(a, 2)
	waitUntil(t, "B's projector woken by A's append", func() bool { return woken.Load() >= 1 })
	// The listener handles notifications in order: once a later one from A has been heard, B's own (sent before
	// A's) would have been heard too.
	if n := woken.Load(); n != 1 {
		t.Errorf("woken %d times, want once (A's append; B's own is not echoed)", n)
	}
}
