package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSupervisor(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	s := newSupervisor(context.Background(), slog.New(slog.NewTextHandler(&logs, nil)))
	s.restart = time.Millisecond
	var stopped, runs atomic.Int32
	for range 3 { // loops that run until shutdown
		s.Go("loop", func(ctx context.Context) {
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond) // Stop must wait for this
			stopped.Add(1)
		})
	}
	restarted := make(chan struct{})
	s.Go("flaky", func(ctx context.Context) {
		if runs.Add(1) == 1 {
			panic("boom")
		}
		close(restarted)
		<-ctx.Done()
	})
	select {
	case <-restarted:
	case <-time.After(time.Minute): // only a hang reaches this
		t.Fatal("a panicked loop was not restarted")
	}
	s.Stop()
	if n := stopped.Load(); n != 3 {
		t.Errorf("Stop returned with %d of 3 loops finished", n)
	}
	if out := logs.String(); !strings.Contains(out, "background job panicked") || !strings.Contains(out, "job=flaky") {
		t.Errorf("the panic was not logged with the job's name:\n%s", out)
	}
	s.Go("late", func(ctx context.Context) {
		if ctx.Err() == nil {
			t.Error("a loop started after Stop got a live context")
		}
	})
	s.wg.Wait()
}

// fakeLock is a leader lock whose loss the test decides.
type fakeLock struct {
	lost     atomic.Bool
	released atomic.Int32
}

func (l *fakeLock) Alive(context.Context) error {
	if l.lost.Load() {
		return errors.New("connection gone")
	}
	return nil
}

func (l *fakeLock) Release(context.Context) error { l.released.Add(1); return nil }

// TestSupervisorLeader: leader jobs start only once the lock is won (not while another instance holds it), are
// cancelled and waited for as soon as a liveness check fails, the lock is released, and they start again when the
// lock is won again; plain jobs run throughout. Every transition is logged with "leader".
func TestSupervisorLeader(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	s := newSupervisor(context.Background(), slog.New(slog.NewTextHandler(&logs, nil)))
	s.poll, s.ping = 5*time.Millisecond, 5*time.Millisecond
	var running, starts, finished atomic.Int32
	s.GoLeader("sync", func(ctx context.Context) {
		starts.Add(1)
		running.Add(1)
		<-ctx.Done()
		time.Sleep(10 * time.Millisecond) // the lock must not be released (or retaken) before this ends
		running.Add(-1)
		finished.Add(1)
	})
	var asks atomic.Int32
	var current atomic.Pointer[fakeLock]
	s.Lead(func(context.Context) (leaderLock, error) {
		if asks.Add(1) <= 3 { // another instance leads at first
			return nil, db.ErrNotLeader
		}
		if running.Load() != 0 {
			t.Error("the lock was asked for again while the previous term's job still ran")
		}
		l := &fakeLock{}
		current.Store(l)
		return l, nil
	})
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, logs.String())
			}
		}
	}
	waitUntil("the first term", func() bool { return running.Load() == 1 })
	if n := asks.Load(); n < 4 {
		t.Errorf("the job started after %d asks, want it to wait for the 4th", n)
	}
	first := current.Load()
	first.lost.Store(true)
	waitUntil("the second term", func() bool { return starts.Load() == 2 && running.Load() == 1 })
	if finished.Load() != 1 || first.released.Load() != 1 {
		t.Errorf("after a lost lock: %d jobs finished, lock released %d times; want 1 and 1",
			finished.Load(), first.released.Load())
	}
	s.Stop()
	if running.Load() != 0 || current.Load().released.Load() != 1 {
		t.Error("Stop returned with a leader job running or the lock held")
	}
	out := logs.String()
	for _, want := range []string{"leader: this instance now runs", "leader: lost the lock", "leader: this instance no longer leads"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the log:\n%s", want, out)
		}
	}
}
