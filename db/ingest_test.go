package db

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// newActivity is a lock event of hub-000000's first device at t0+offset, keyed by n.
func newActivity(n int, offset time.Duration) Activity {
	return Activity{At: t0.Add(offset), HubID: "hub-000000", DeviceID: "dev-0000000", PropertyID: ptr(int64(1000)),
		DeviceType: "lock", MessageType: "Lock", Kind: "lock.locked", Actor: "Auto", HomeName: "Maple Home 0",
		SerialNo: "30000", DeviceName: "Front door 0", Details: fmt.Sprintf("event %d", n),
		DedupeKey: DedupeKey(t0, sha256.Sum256(fmt.Appendf(nil, "body-%d", n)))}
}

func ingest(t testing.TB, s *Store, it IngestItem) IngestResult {
	t.Helper()
	if it.Body == nil {
		it.Body = []byte(`{}`)
	}
	res, err := s.Ingest(t.Context(), it)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIngestDedupe(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 2, t0)))
	first := ingest(t, s, IngestItem{Activity: newActivity(1, 0), Body: []byte(`{"a":1}`)})
	again := ingest(t, s, IngestItem{Activity: newActivity(1, time.Minute), Body: []byte(`{"a":1}`)})
	if first.Duplicate || !again.Duplicate || again.ID != first.ID {
		t.Fatalf("first %+v, again %+v: want the second to be a duplicate of the first", first, again)
	}
	pg, err := s.ListActivities(t.Context(), ActivityFilter{})
	must(t, err)
	if len(pg.Items) != 1 || !pg.Items[0].At.Equal(t0) {
		t.Fatalf("log = %+v, want the first delivery only", pg.Items)
	}
	body, err := s.ActivityBody(t.Context(), first.ID)
	must(t, err)
	if string(body) != `{"a":1}` {
		t.Errorf("body = %s", body)
	}
	got, err := s.ActivityByID(t.Context(), first.ID)
	must(t, err)
	if got.PropertyName != "Maple Court 0" || got.TimeZone != "America/Chicago" || got.Actor != "Auto" {
		t.Errorf("view = %+v", got)
	}
}

// TestIngestGroupCommit holds the writer connection so deliveries queue, then checks that they commit together
// and that a bad item fails alone.
func TestIngestGroupCommit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tx, err := s.w.BeginTxx(t.Context(), nil) // the writer's only connection: the ingester must wait
	must(t, err)
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			it := IngestItem{Activity: newActivity(i, time.Duration(i)*time.Second), Body: []byte(`{}`)}
			if i == 7 {
				it.Body = nil // NOT NULL: this item alone fails
			}
			_, errs[i] = s.Ingest(t.Context(), it)
		})
	}
	deadline := time.Now().Add(500 * time.Millisecond) // every sender is queued, or taken by the waiting writer
	for len(s.ingest.reqs) < n-3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	must(t, tx.Rollback())
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("item %d: err = %v", i, err)
		}
	}
	st := s.IngestStats()
	if st.Items != n-1 {
		t.Errorf("items committed = %d, want %d", st.Items, n-1)
	}
	// 1 (the item taken first) + the batch of the 39 queued, which fails once and is retried item by item.
	if st.Batches > n {
		t.Errorf("batches = %d for %d items", st.Batches, n)
	}
	pg, err := s.ListActivities(t.Context(), ActivityFilter{Limit: 100})
	must(t, err)
	if len(pg.Items) != n-1 {
		t.Errorf("stored %d, want %d", len(pg.Items), n-1)
	}
}

func TestIngestBatchesUnderLoad(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tx, err := s.w.BeginTxx(t.Context(), nil)
	must(t, err)
	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ingest(t, s, IngestItem{Activity: newActivity(i, 0)}) })
	}
	// Every sender is queued (or taken by the writer, which waits for the connection) well within this.
	deadline := time.Now().Add(500 * time.Millisecond)
	for len(s.ingest.reqs) < n-3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	must(t, tx.Rollback())
	wg.Wait()
	// The writer took one or a few before the connection was free; the rest waited and committed together.
	if st := s.IngestStats(); st.Items != n || st.Batches > 3 {
		t.Errorf("stats = %+v, want %d items in at most 3 batches", st, n)
	}
}

func TestIngestAfterClose(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	s.stopIngest()
	_, err := s.Ingest(t.Context(), IngestItem{Activity: newActivity(1, 0), Body: []byte(`{}`)})
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

func TestIngestLiveNewestWins(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 2, t0)))
	mode := func(m string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"` + m + `"}`)}
	}
	dev := func() Device {
		d, err := s.Device(t.Context(), "dev-0000000")
		must(t, err)
		return d
	}
	steps := []struct {
		name      string
		offset    time.Duration
		change    LiveChange
		wantState string
		wantAlert string
		changed   bool
	}{
		{"unlock", 2 * time.Minute, LiveChange{State: mode("unlocked")}, `{"mode":{"type":"unlocked"}}`, "", true},
		{"older lock arrives late", time.Minute, LiveChange{State: mode("locked")}, `{"mode":{"type":"unlocked"}}`, "", false},
		{"jammed", 3 * time.Minute, LiveChange{State: mode("jammed"), Alert: ptr(AlertJammed)}, `{"mode":{"type":"jammed"}}`, AlertJammed, true},
		{"tamper ranks below jammed", 4 * time.Minute, LiveChange{Alert: ptr(AlertTamper)}, `{"mode":{"type":"jammed"}}`, AlertJammed, false},
		{"locked clears jammed", 5 * time.Minute, LiveChange{State: mode("locked"), ClearAlert: AlertJammed}, `{"mode":{"type":"locked"}}`, "", true},
		{"same state again", 6 * time.Minute, LiveChange{State: mode("locked")}, `{"mode":{"type":"locked"}}`, "", false},
	}
	for i, st := range steps {
		c := st.change
		c.HubID, c.DeviceID, c.At = "hub-000000", "dev-0000000", t0.Add(st.offset)
		res := ingest(t, s, IngestItem{Activity: newActivity(i, st.offset), Live: &c})
		d := dev()
		if d.State != st.wantState || d.Alert != st.wantAlert || (res.Device != nil) != st.changed {
			t.Fatalf("%s: state %s alert %q changed %v; want %s %q %v", st.name, d.State, d.Alert, res.Device != nil,
				st.wantState, st.wantAlert, st.changed)
		}
		if res.Device != nil && !res.Device.After.StateChangedAt.Equal(t0.Add(st.offset)) {
			t.Errorf("%s: state_changed_at %v", st.name, res.Device.After.StateChangedAt)
		}
	}
	// Battery: the column and the status key move together, and the property's low-battery count follows.
	c := LiveChange{HubID: "hub-000000", DeviceID: "dev-0000000", At: t0.Add(time.Hour), Battery: ptr(9)}
	res := ingest(t, s, IngestItem{Activity: newActivity(99, time.Hour), Live: &c})
	if res.Device == nil || *res.Device.After.Battery != 9 || *res.Device.Before.Battery != 80 {
		t.Fatalf("battery change = %+v", res.Device)
	}
	var low int
	must(t, s.r.GetContext(t.Context(), &low, `SELECT n_low_battery FROM properties WHERE id = 1000`))
	if low != 1 {
		t.Errorf("property low-battery count = %d, want 1", low)
	}
}

func TestIngestHubLiveAndWatchdog(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 2, 1, t0)))
	now := time.Now()
	s.ingest.now = func() time.Time { return now } // only read by the writer goroutine, which is idle here
	hub := func(id string) Hub {
		h, err := s.Hub(t.Context(), id)
		must(t, err)
		return h
	}
	beat := LiveChange{HubID: "hub-000000", At: t0.Add(time.Minute), Heartbeat: true}
	res := ingest(t, s, IngestItem{Activity: newActivity(1, time.Minute), Live: &beat})
	if h := hub("hub-000000"); h.LastHeartbeatAt == nil || !h.LastHeartbeatAt.Equal(t0.Add(time.Minute)) || res.Hub == nil {
		t.Fatalf("after heartbeat: %+v (change %v)", h, res.Hub)
	}
	off := LiveChange{HubID: "hub-000000", At: t0.Add(2 * time.Minute), HubOnline: ptr(false)}
	ingest(t, s, IngestItem{Activity: newActivity(2, 2*time.Minute), Live: &off})
	late := LiveChange{HubID: "hub-000000", At: t0.Add(90 * time.Second), Heartbeat: true}
	ingest(t, s, IngestItem{Activity: newActivity(3, 90*time.Second), Live: &late})
	if h := hub("hub-000000"); h.Online || h.Status != "Offline" {
		t.Fatalf("a heartbeat older than the offline event brought the hub back: %+v", h)
	}
	on := LiveChange{HubID: "hub-000000", At: t0.Add(3 * time.Minute), Heartbeat: true}
	ingest(t, s, IngestItem{Activity: newActivity(4, 3*time.Minute), Live: &on})
	if h := hub("hub-000000"); !h.Online {
		t.Fatalf("a newer heartbeat left the hub offline: %+v", h)
	}
	// Watchdog: hub-000000 beat at now; hub-000001 never beat by webhook and is not judged.
	silenced, err := s.SilenceHubs(t.Context(), now.Add(-time.Second))
	must(t, err)
	if len(silenced) != 0 {
		t.Fatalf("silenced %d hubs before the grace period", len(silenced))
	}
	silenced, err = s.SilenceHubs(t.Context(), now.Add(time.Second))
	must(t, err)
	if len(silenced) != 1 || silenced[0].ID != "hub-000000" || silenced[0].Online {
		t.Fatalf("silenced = %+v, want hub-000000 offline", silenced)
	}
	if h := hub("hub-000001"); !h.Online {
		t.Error("a hub without webhook heartbeats was silenced")
	}
	again, err := s.SilenceHubs(t.Context(), now.Add(time.Second))
	must(t, err)
	if len(again) != 0 {
		t.Errorf("an offline hub was silenced again: %+v", again)
	}
}

// TestCheckpointerKeepsUp: the writer checkpoints only past walWriterPages, and the checkpointer copies the WAL
// into the database file in the background.
func TestCheckpointerKeepsUp(t *testing.T) {
	t.Parallel()
	sqliteOnly(t, "the WAL checkpointer is SQLite's; PostgreSQL checkpoints by itself")
	s := newStore(t)
	if s.ingest.ckpt == nil {
		t.Fatal("no checkpointer")
	}
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { defer close(done); s.RunCheckpoints(ctx) }()
	defer func() { cancel(); <-done }()
	var auto int
	must(t, s.w.GetContext(t.Context(), &auto, `PRAGMA wal_autocheckpoint`))
	if auto != walWriterPages {
		t.Fatalf("writer wal_autocheckpoint = %d, want %d (the checkpointer does the rest)", auto, walWriterPages)
	}
	seedActivities(t, s, 300)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var busy, log, done int
		// A PASSIVE checkpoint from the test's side only reports: the background one has done the copying.
		must(t, s.ingest.ckpt.conn.QueryRowxContext(t.Context(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done))
		if log > 0 && done == log {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL not checkpointed: %d of %d frames", done, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIngestLiveWithinOneBatch: changes to the same device and hub in one transaction apply in order (each sees
// the one before it), a late older one changes nothing, an unknown device is left alone, and the rows are written
// once with the last state.
func TestIngestLiveWithinOneBatch(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 2, t0)))
	mode := func(m string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"` + m + `"}`)}
	}
	changes := []LiveChange{
		{DeviceID: "dev-0000000", At: t0.Add(time.Minute), State: mode("unlocked")},
		{DeviceID: "dev-0000000", At: t0.Add(3 * time.Minute), State: mode("locked"), Battery: ptr(15)},
		{DeviceID: "dev-0000000", At: t0.Add(2 * time.Minute), State: mode("jammed")}, // older than the one before
		{DeviceID: "no-such-device", At: t0.Add(time.Minute), State: mode("locked")},
		{At: t0.Add(time.Minute), HubOnline: ptr(false)},
		{At: t0.Add(2 * time.Minute), Heartbeat: true},
	}
	var batch []*ingestReq
	for i, c := range changes {
		c.HubID = "hub-000000"
		batch = append(batch, &ingestReq{item: IngestItem{Activity: newActivity(i, time.Duration(i)*time.Second),
			Body: []byte(`{}`), Live: &c}, done: make(chan struct{})})
	}
	must(t, s.ingest.write(batch))
	res := func(i int) IngestResult { return batch[i].res }
	if d := res(0).Device; d == nil || d.After.State != `{"mode":{"type":"unlocked"}}` {
		t.Fatalf("first change: %+v", d)
	}
	if d := res(1).Device; d == nil || d.Before.State != res(0).Device.After.State || *d.After.Battery != 15 {
		t.Fatalf("second change does not start from the first: %+v", d)
	}
	if res(2).Device != nil || res(3).Device != nil {
		t.Errorf("a late older change or an unknown device changed something: %+v %+v", res(2).Device, res(3).Device)
	}
	if h := res(4).Hub; h == nil || h.After.Online {
		t.Fatalf("hub offline: %+v", h)
	}
	if h := res(5).Hub; h == nil || !h.After.Online || h.Before.Online {
		t.Fatalf("heartbeat after offline: %+v", h)
	}
	d, err := s.Device(t.Context(), "dev-0000000")
	must(t, err)
	if d.State != `{"mode":{"type":"locked"}}` || d.Battery == nil || *d.Battery != 15 || !d.StateChangedAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("stored device %s battery %v at %v", d.State, d.Battery, d.StateChangedAt)
	}
	h, err := s.Hub(t.Context(), "hub-000000")
	must(t, err)
	if !h.Online || h.LastHeartbeatAt == nil || !h.LastHeartbeatAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("stored hub online %v heartbeat %v", h.Online, h.LastHeartbeatAt)
	}
}

// TestRunCheckpointsEnds: the loop returns when its context ends and when the store closes under it, so the
// supervisor's Stop never waits on it.
func TestRunCheckpointsEnds(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"context", "close"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			s, err := Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			go func() { defer close(done); s.RunCheckpoints(ctx) }()
			wait := func() {
				select {
				case <-done:
				case <-time.After(time.Minute): // a hang, not a timing check: the loop returns within one tick
					t.Fatal("RunCheckpoints did not return")
				}
			}
			if how == "context" { // the store stays open until the loop has returned on its own
				cancel()
				wait()
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if how == "close" {
				wait()
			}
		})
	}
}
