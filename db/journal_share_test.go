package db

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestProjectTurn: a projection waits its share out while appends arrive, runs at once when they have stopped,
// and a projection that is behind gets the larger share.
func TestProjectTurn(t *testing.T) {
	t.Parallel()
	now := t0
	cases := []struct {
		name       string
		lastAppend time.Time
		notBefore  time.Time
		queued     int
		wantRun    bool
		wantWait   time.Duration
	}{
		{"idle writer", now.Add(-time.Second), time.Time{}, 0, true, 0},
		{"appends stopped, share not used up", now.Add(-appendsIdle), now.Add(time.Second), 0, true, 0},
		{"appends queued, share used up", now, now.Add(30 * time.Millisecond), 5, false, 30 * time.Millisecond},
		{"appends queued, turn come", now, now.Add(-time.Millisecond), 5, true, 0},
		{"between two appends, share used up", now.Add(-time.Millisecond), now.Add(30 * time.Millisecond), 0, false, appendsIdle - time.Millisecond},
		{"between two appends, turn come", now.Add(-time.Millisecond), now.Add(-time.Millisecond), 0, true, 0},
	}
	for _, c := range cases {
		turn := projectTurn{lastAppend: c.lastAppend, notBefore: c.notBefore}
		run, wait := turn.due(now, c.queued)
		if run != c.wantRun || wait != c.wantWait {
			t.Errorf("%s: due = %v, %s; want %v, %s", c.name, run, wait, c.wantRun, c.wantWait)
		}
	}
	var turn projectTurn
	turn.ran(now, 10*time.Millisecond, false)
	if want := now.Add(30 * time.Millisecond); !turn.notBefore.Equal(want) { // 10 ms is a quarter of 40
		t.Errorf("after a 10 ms projection the next waits until %s, want %s", turn.notBefore.Sub(now), want.Sub(now))
	}
	turn.ran(now, 10*time.Millisecond, true)
	if want := now.Add(10 * time.Millisecond); !turn.notBefore.Equal(want) { // behind: half
		t.Errorf("behind: the next waits until %s, want %s", turn.notBefore.Sub(now), want.Sub(now))
	}
}

// TestProjectionSharesTheWriter: while appends arrive without a pause, a projection still runs (its share), and
// appends keep committing while projections keep coming (neither starves the other). SQLite only: PostgreSQL
// projects on a connection of its own.
func TestProjectionSharesTheWriter(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if s.dialect != dialectSQLite {
		t.Skip("the shared writer is SQLite's")
	}
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 2, t0)))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var appended atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Append(ctx, journalEntry(1_000_000*(w+1)+i, time.Duration(i)*time.Millisecond)); err != nil {
					t.Error(err)
					return
				}
				appended.Add(1)
			}
		})
	}
	projected := 0
	for projected < 200 && ctx.Err() == nil {
		rows, err := s.WaitingJournal(ctx, 50)
		must(t, err)
		items := make([]IngestItem, len(rows))
		for i, r := range rows {
			a := newActivity(int(r.ID), 0)
			a.ID, a.DedupeKey, a.ReceivedAt = r.ID, r.DedupeKey, r.ReceivedAt
			items[i] = IngestItem{Activity: a, Body: r.Body}
		}
		done := make(chan error, 1)
		go func() { _, err := s.Project(ctx, items); done <- err }()
		select {
		case err := <-done:
			must(t, err)
		case <-time.After(30 * time.Second): // what a hang would reach; a share-bound wait is milliseconds
			close(stop)
			t.Fatalf("a projection of %d rows waited 30 s behind a continuous append load", len(rows))
		}
		projected += len(rows)
	}
	close(stop)
	wg.Wait()
	if projected < 200 {
		t.Fatalf("projected %d rows under a continuous append load, want 200: the appends starved the projection", projected)
	}
	if appended.Load() < int64(projected) {
		t.Errorf("%d appends committed while %d rows were projected: the projection starved the appends", appended.Load(), projected)
	}
}
