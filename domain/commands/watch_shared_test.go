package commands

import (
	"log/slog"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/domain/observe"
)

// TestTrackerSharedPending: on PostgreSQL a record created through instance B (never Tracked on A) is found by
// the observation loop of instance A for a webhook about its device, and one about another device is dropped
// after the same single read of the pending set.
func TestTrackerSharedPending(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	var stores []*db.Store
	for range 2 {
		s, err := db.OpenPostgres(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	now := time.Now().UTC()
	c, err := stores[1].CreateCommand(t.Context(), db.Command{HubID: "h-1", DeviceID: "d-1", Action: ActLock,
		Command: `{"action":"lock"}`, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	a := NewTracker(slog.New(slog.DiscardHandler), stores[0], nil, nil, Options{})
	if !a.shared {
		t.Fatal("a PostgreSQL tracker is not in shared mode")
	}
	// Not confirming by itself (a battery report), so observe only makes the record due at once: no upstream read.
	ob := func(dev string) observe.Observation {
		return observe.Observation{HubID: "h-1", DeviceID: dev, Kind: "battery", At: now}
	}
	a.Observe(t.Context(), ob("d-2"))
	if len(a.seen) != 1 {
		t.Fatalf("%d observations queued; on PostgreSQL Observe must pass each to the loop", len(a.seen))
	}
	a.observeShared(t.Context(), ob("d-1")) // takes d-2 from the queue with it
	if len(a.seen) != 0 {
		t.Errorf("%d observations left queued: the batch did not drain", len(a.seen))
	}
	a.mu.Lock()
	due, ok := a.next[c.ID]
	a.mu.Unlock()
	if !ok || due.Before(now) {
		t.Errorf("the record created on B was not found by A's observation (next=%v, %v)", due, ok)
	}
}
