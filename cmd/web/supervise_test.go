package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
