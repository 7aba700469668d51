package access

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// TestTrackerRun: a poked code is re-read at once, a tracked one after trackFirst; a settled code is let go, a
// run of failures forgets every code, and Run returns when its context ends.
func TestTrackerRun(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	reads := map[string][]time.Time{}
	fail := false
	tr := newTracker(slog.New(slog.NewTextHandler(io.Discard, nil)), func(_ context.Context, id string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		reads[id] = append(reads[id], time.Now())
		if fail {
			return false, errors.New("upstream gone")
		}
		return len(reads[id]) >= 2, nil // settles on the second read
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Run(ctx)
	}()
	readsOf := func(id string) []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), reads[id]...)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	began := time.Now()
	tr.Poke("a")
	waitFor("the poked code's read", func() bool { return len(readsOf("a")) == 1 })
	if took := readsOf("a")[0].Sub(began); took > trackFirst/2 {
		t.Errorf("a poked code was read after %v, want at once", took)
	}
	waitFor("the code to settle", func() bool { return tr.Watching() == 0 })
	if r := readsOf("a"); len(r) != 2 || r[1].Sub(r[0]) < trackFirst-50*time.Millisecond {
		t.Errorf("reads %v: want the second one trackFirst after the first", r)
	}

	began = time.Now()
	tr.Track("b")
	waitFor("the tracked code's read", func() bool { return len(readsOf("b")) == 1 })
	if took := readsOf("b")[0].Sub(began); took < trackFirst-50*time.Millisecond {
		t.Errorf("a tracked code was read after %v, want trackFirst", took)
	}
	waitFor("the code to settle", func() bool { return tr.Watching() == 0 })

	mu.Lock()
	fail = true
	mu.Unlock()
	ids := []string{"c1", "c2", "c3", "c4", "c5", "c6"}
	tr.Poke(ids...)
	waitFor("the tracker to give up", func() bool { return tr.Watching() == 0 })
	total := 0
	for _, id := range ids {
		total += len(readsOf(id))
	}
	if total != trackFails {
		t.Errorf("%d failed reads before giving up, want %d", total, trackFails)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
