package db

import (
	"errors"
	"testing"
	"time"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestLeaderLock: of two PostgreSQL stores on one database only one holds the leader lock; when its session ends
// (here terminated by the server, as when the leader's host dies), Alive reports the loss and the other store
// takes the lock. Release hands it over at once. SQLite is always the leader.
func TestLeaderLock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a, errA := OpenPostgres(t.Context(), dsn)
	a = closedAtEnd(t, a, errA)
	b, errB := OpenPostgres(t.Context(), dsn)
	b = closedAtEnd(t, b, errB)
	ctx := t.Context()

	la, err := a.TryLead(ctx)
	must(t, err)
	var pids []uint32
	for range 3 { // refused tries poll on one kept connection, not a new backend each
		if _, err := b.TryLead(ctx); !errors.Is(err, ErrNotLeader) {
			t.Fatalf("second TryLead while the first holds: %v, want ErrNotLeader", err)
		}
		pids = append(pids, b.leader.candidate.PgConn().PID())
	}
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("refused tries used backends %v, want one kept connection", pids)
	}
	must(t, la.Alive(ctx))
	// The server ends the leader's session: its lock goes with it.
	_, err = b.w.ExecContext(ctx, `SELECT pg_terminate_backend(?)`, int64(la.leaderBackendPID()))
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for la.Alive(ctx) == nil {
		if time.Now().After(deadline) {
			t.Fatal("Alive still succeeds after the lock's session was terminated")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = la.Release(ctx)
	var lb *LeaderLock
	for lb == nil {
		if lb, err = b.TryLead(ctx); err != nil && !errors.Is(err, ErrNotLeader) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the other store did not get the lock after the leader's session ended")
		}
	}
	must(t, lb.Alive(ctx))
	must(t, lb.Release(ctx))
	la, err = a.TryLead(ctx) // released: free at once
	must(t, err)
	must(t, la.Release(ctx))

	lite := newSQLiteStore(t)
	for range 2 {
		l, err := lite.TryLead(ctx)
		must(t, err)
		must(t, l.Alive(ctx))
	}
}
