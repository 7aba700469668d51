package fanout

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test's own session, to kill the listener's

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/domain/ingest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// recorder is the pages of an instance: it counts the activity rows pushed to it.
type recorder struct {
	mu   sync.Mutex
	rows map[int64]int
}

func (r *recorder) Listening() bool { return true }
func (r *recorder) Activity(_ context.Context, a db.ActivityView) {
	r.mu.Lock()
	r.rows[a.ID]++
	r.mu.Unlock()
}
func (r *recorder) DeviceState(context.Context, db.Device, *time.Location) {}
func (r *recorder) HubStatus(context.Context, db.Hub, *time.Location)      {}
func (r *recorder) Alert(context.Context, ingest.Alert)                    {}

func (r *recorder) count(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rows[id]
}

var seq atomic.Int64

// commit ingests one activity on s and returns its id (0 after a failure, which fails the test: t.Error, since
// writers call it from their own goroutines).
func commit(t *testing.T, s *db.Store) int64 {
	t.Helper()
	n := seq.Add(1)
	at := time.Now().UTC()
	res, err := s.Ingest(t.Context(), db.IngestItem{Body: []byte(`{}`), Activity: db.Activity{At: at, HubID: "hub-1",
		DeviceType: "hub", MessageType: "heartbeat", Kind: "hub.heartbeat", Details: fmt.Sprint("beat ", n),
		DedupeKey: db.DedupeKey(at, sha256.Sum256(fmt.Appendf(nil, "catch-up-%d", n)))}})
	if err != nil {
		t.Error(err)
	}
	return res.ID
}

func openStore(t *testing.T, dsn string) *db.Store {
	t.Helper()
	s, err := db.OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listeners returns how many listener sessions are connected to this test's database.
func listeners(t *testing.T, admin *sql.DB) int {
	t.Helper()
	var n int
	if err := admin.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'dashboard-live' AND datname = current_database()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestListenerCatchUp: instance B's listener connection is killed (pg_terminate_backend) twice while instance A
// keeps committing activities; every one of A's activities still reaches B's pages exactly once (what was
// committed during the outage by the catch-up, the rest by notification), and none of B's own activities is
// pushed by B's listener (B's pages had them at commit time).
func TestListenerCatchUp(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	New(a, slog.New(slog.DiscardHandler), nil) // A announces; its pages are not watched here
	pages := &recorder{rows: map[int64]int{}}
	fb := New(b, slog.New(slog.NewTextHandler(t.Output(), nil)), pages)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); fb.Listen(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitUntil(t, "B's listener", func() bool { return listeners(t, admin) == 1 })

	const n, writers = 300, 4
	var mu sync.Mutex
	var fromA, fromB []int64
	kills := 0
	for round := range 3 {
		var wg sync.WaitGroup
		for range writers { // concurrent writers: batches, and ids committed out of order
			wg.Go(func() {
				for range n / 3 / writers {
					id := commit(t, a)
					if id == 0 {
						return
					}
					mu.Lock()
					fromA = append(fromA, id)
					mu.Unlock()
				}
			})
		}
		if round < 2 { // mid-stream: kill the listener's session while A commits
			time.Sleep(20 * time.Millisecond)
			var killed bool
			if err := admin.QueryRowContext(t.Context(), `SELECT coalesce(bool_and(pg_terminate_backend(pid)), false)
				FROM pg_stat_activity WHERE application_name = 'dashboard-live' AND datname = current_database()`).Scan(&killed); err != nil {
				t.Fatal(err)
			}
			if killed {
				kills++
			}
		}
		fromB = append(fromB, commit(t, b))
		wg.Wait()
		waitUntil(t, "B's listener back", func() bool { return listeners(t, admin) == 1 })
	}
	if kills < 2 {
		t.Fatalf("killed the listener %d times, want 2", kills)
	}
	marker := commit(t, a) // pushed after every earlier notification: once it arrives, no duplicate is on its way
	waitUntil(t, "every activity of A on B's pages", func() bool {
		if pages.count(marker) == 0 {
			return false
		}
		for _, id := range fromA {
			if pages.count(id) == 0 {
				return false
			}
		}
		return true
	})
	for _, id := range append(fromA, marker) {
		if c := pages.count(id); c != 1 {
			t.Errorf("activity %d pushed %d times, want once", id, c)
		}
	}
	for _, id := range fromB {
		if c := pages.count(id); c != 0 {
			t.Errorf("B's own activity %d pushed %d times by its listener, want none", id, c)
		}
	}
	t.Logf("%d activities from A, %d listener kills", len(fromA), kills)
}
