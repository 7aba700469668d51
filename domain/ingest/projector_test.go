package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/domain/observe"
)

// recorder is a Publisher and an observer that keeps the activity ids it was told, in order.
type recorder struct {
	mu        sync.Mutex
	published []int64
	observed  []string // details, in the order observed
}

func (r *recorder) Listening() bool { return true }
func (r *recorder) Activity(_ context.Context, a db.ActivityView) {
	r.mu.Lock()
	r.published = append(r.published, a.ID)
	r.mu.Unlock()
}
func (r *recorder) DeviceState(context.Context, db.Device, *time.Location) {}
func (r *recorder) HubStatus(context.Context, db.Hub, *time.Location)      {}
func (r *recorder) Alert(context.Context, Alert)                           {}
func (r *recorder) observe(_ context.Context, ob observe.Observation) {
	r.mu.Lock()
	r.observed = append(r.observed, ob.Details)
	r.mu.Unlock()
}

func (r *recorder) snapshot() ([]int64, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.published), slices.Clone(r.observed)
}

// projectorStores are the two backends' stores: an SQLite file, and a fresh PostgreSQL database (skipped without
// PostgreSQL, except under CI=true: pgtest).
func projectorStores(t *testing.T) map[string]func(t *testing.T) *db.Store {
	open := func(t *testing.T, s *db.Store, err error) *db.Store {
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return map[string]func(t *testing.T) *db.Store{
		"sqlite": func(t *testing.T) *db.Store {
			s, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "ingest.db"))
			return open(t, s, err)
		},
		"postgres": func(t *testing.T) *db.Store {
			s, err := db.OpenPostgres(t.Context(), pgtest.DSN(t))
			return open(t, s, err)
		},
	}
}

func journalReceiver(s *db.Store, rec *recorder) *Receiver {
	obs := &observe.Observers{}
	obs.Add(rec.observe)
	return NewReceiver(Options{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Observers: obs,
		Publisher: rec, Journal: true})
}

// deliver posts delivery n of device dev to rx and returns its outcome.
func deliver(t *testing.T, rx *Receiver, dev string, n int) Outcome {
	t.Helper()
	body := fmt.Appendf(nil, `{"hub_id":"hub-j","device_id":%q,"device_type":"lock","message_type":"Lock","details":"%s-%d","activity_time":%d}`,
		dev, dev, n, time.Date(2025, 3, 1, 12, 0, n, 0, time.UTC).UnixMilli())
	return rx.Receive(t.Context(), Delivery{Body: body, Size: int64(len(body))})
}

// TestProjectorJournal, on both backends: deliveries are answered with their ids before any activity exists (and
// before anyone is told); a duplicate while they wait gets the first id and is stored once; one projection writes
// them all under those ids and announces them in delivery order (per device: the order they came in); a second
// receiver on the same store (a restarted process) projects what the first left, and nothing twice.
func TestProjectorJournal(t *testing.T) {
	for name, open := range projectorStores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			rec := &recorder{}
			rx := journalReceiver(s, rec)
			var ids []int64
			var want []string
			for n := range 6 {
				dev := []string{"lock-a", "lock-b"}[n%2]
				out := deliver(t, rx, dev, n)
				if out.Result != Stored || out.ID == 0 {
					t.Fatalf("delivery %d: %+v", n, out)
				}
				ids, want = append(ids, out.ID), append(want, fmt.Sprintf("%s-%d", dev, n))
			}
			if dup := deliver(t, rx, "lock-a", 0); dup.Result != Duplicate || dup.ID != ids[0] {
				t.Errorf("duplicate while waiting: %+v, want Duplicate of %d", dup, ids[0])
			}
			if _, err := s.ActivityByID(t.Context(), ids[0]); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("activity before the projection: %v, want ErrNotFound", err)
			}
			if pub, obs := rec.snapshot(); len(pub)+len(obs) > 0 {
				t.Errorf("told before the projection: %v %v", pub, obs)
			}
			if n, err := rx.ProjectOnce(t.Context()); err != nil || n != 6 {
				t.Fatalf("projection: %d rows, %v; want 6", n, err)
			}
			pub, obs := rec.snapshot()
			if !slices.Equal(pub, ids) || !slices.Equal(obs, want) {
				t.Errorf("announced %v %v, want %v %v (delivery order)", pub, obs, ids, want)
			}
			for i, id := range ids {
				if a, err := s.ActivityByID(t.Context(), id); err != nil || a.Details != want[i] {
					t.Errorf("activity %d: %+v, %v; want %s", id, a.Details, err, want[i])
				}
			}

			late := deliver(t, rx, "lock-a", 10)
			restarted := journalReceiver(s, rec)
			if n, err := restarted.ProjectOnce(t.Context()); err != nil || n != 1 {
				t.Fatalf("restarted projection: %d rows, %v; want 1", n, err)
			}
			if n, err := restarted.ProjectOnce(t.Context()); err != nil || n != 0 {
				t.Errorf("projection with nothing waiting: %d rows, %v", n, err)
			}
			if _, err := s.ActivityByID(t.Context(), late.ID); err != nil {
				t.Errorf("late activity %d: %v", late.ID, err)
			}
			if pub, _ := rec.snapshot(); len(pub) != 7 {
				t.Errorf("%d activities announced, want 7 (each once)", len(pub))
			}
		})
	}
}

// TestRunProjectorWakes: with the projector running, a delivery is projected and pushed to the pages without
// anything else happening (the receiver wakes it), and the lag returns to nothing.
func TestRunProjectorWakes(t *testing.T) {
	for name, open := range projectorStores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			rec := &recorder{}
			rx := journalReceiver(s, rec)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() { defer close(done); rx.RunProjector(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
			out := deliver(t, rx, "lock-a", 1)
			deadline := time.Now().Add(30 * time.Second)
			for {
				if pub, _ := rec.snapshot(); slices.Contains(pub, out.ID) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("activity %d was never pushed", out.ID)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if lag, err := s.JournalLag(t.Context()); err != nil || lag.Waiting != 0 {
				t.Errorf("lag after the push: %+v, %v", lag, err)
			}
		})
	}
}

// TestProjectorSetsAsideUnparseable, on both backends: a journal row whose bytes no longer parse (a parser changed
// between append and projection) does not hold up the rows behind it: it moves to the webhook inbox as
// unparseable, the others are projected, nothing waits, and the inbox's re-process is not refused as a duplicate
// (its key left the journal with it).
func TestProjectorSetsAsideUnparseable(t *testing.T) {
	for name, open := range projectorStores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			rec := &recorder{}
			rx := journalReceiver(s, rec)
			before := deliver(t, rx, "lock-a", 1)
			bad := []byte(`{"hub_id":"hub-j","message_type":<script>`)
			var key [32]byte
			copy(key[:], "a key no parsed delivery can have")
			stale, err := s.Append(t.Context(), db.JournalEntry{DedupeKey: key, Body: bad, Verified: true})
			if err != nil {
				t.Fatal(err)
			}
			after := deliver(t, rx, "lock-a", 2)
			if n, err := rx.ProjectOnce(t.Context()); err != nil || n != 3 {
				t.Fatalf("projection: %d rows, %v; want 3 taken", n, err)
			}
			for _, id := range []int64{before.ID, after.ID} {
				if _, err := s.ActivityByID(t.Context(), id); err != nil {
					t.Errorf("activity %d behind the unparseable row: %v", id, err)
				}
			}
			if _, err := s.ActivityByID(t.Context(), stale.ID); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("unparseable row %d became an activity: %v", stale.ID, err)
			}
			if lag, err := s.JournalLag(t.Context()); err != nil || lag.Waiting != 0 {
				t.Errorf("lag %+v, %v; want nothing waiting", lag, err)
			}
			n, err := s.InboxFailedCount(t.Context())
			if err != nil || n != 1 {
				t.Fatalf("inbox: %d failed, %v; want the set-aside row", n, err)
			}
			again, err := s.Append(t.Context(), db.JournalEntry{DedupeKey: key, Body: bad, Verified: true})
			if err != nil || again.Duplicate {
				t.Errorf("the set-aside key appended again: %+v, %v; want a new row", again, err)
			}
		})
	}
}
