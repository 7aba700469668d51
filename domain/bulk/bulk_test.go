package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// inFlight counts the code creates the client has open at once.
type inFlight struct {
	base     http.RoundTripper
	mu       sync.Mutex
	now, max int
	total    int
}

func (f *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	creates := r.Method == http.MethodPost && r.URL.Path == "/api/lock_codes"
	if creates {
		f.mu.Lock()
		f.now, f.total = f.now+1, f.total+1
		f.max = max(f.max, f.now)
		f.mu.Unlock()
		defer func() { f.mu.Lock(); f.now--; f.mu.Unlock() }()
	}
	return f.base.RoundTrip(r)
}

type env struct {
	svc   *Service
	store *db.Store
	sim   *simulator.Simulator
	tr    *inFlight
	locks []db.Device
	user  int64
}

// newEnv is a simulator, a synced store and the bulk service over a lock-code service with a key.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "bulk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sim, err := simulator.Start(context.WithoutCancel(ctx), simulator.Options{CommandDelay: 20 * time.Millisecond, Properties: 12, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	tr := &inFlight{base: &http.Transport{}}
	agent := simulator.DefaultAgents()[0]
	api, err := smarthome.NewClient(smarthome.WithBaseURL(sim.URL), smarthome.WithAgentLogin(agent.Username, agent.Password),
		smarthome.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	up := upstream.New(api)
	if _, err := mirror.NewSyncer(logger, store, up, mirror.SyncOptions{Rate: 1000}).SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	codes := access.NewService(access.Config{Logger: logger, Store: store, Upstream: up, Key: access.DeriveCodeKey("bulk-test-secret-0123456789abcdefgh")})
	e := &env{svc: New(logger, store, codes, nil), store: store, sim: sim, tr: tr}
	t.Cleanup(e.svc.Wait) // before the store closes
	u, err := store.CreateUser(ctx, db.User{Email: "bulk@example.com", Name: "Bo", Role: db.RoleStaff, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	e.user = u.ID
	for id := int64(101); id <= 112; id++ {
		devs, err := store.DevicesByProperty(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == "lock" {
				e.locks = append(e.locks, d)
			}
		}
	}
	return e
}

// groups puts each lock in its own group (one upstream create each).
func groups(locks []db.Device) []CodeGroup {
	var out []CodeGroup
	for _, l := range locks {
		out = append(out, CodeGroup{PropertyID: *l.PropertyID, Locks: []Lock{{ID: l.ID, Label: l.Name}},
			Request: smarthome.LockCodeRequest{Name: "Bound", Code: "640193", ValidityType: smarthome.ValidityNeverExpires}})
	}
	return out
}

// TestBounds: at most Concurrency creates are in flight at once (several are), and an action over MaxItems locks
// is refused with nothing stored or sent.
func TestBounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if len(e.locks) < 2*Concurrency {
		t.Fatalf("only %d locks", len(e.locks))
	}
	if err := e.sim.SetFault(simulator.Fault{Route: "POST /api/lock_codes", Latency: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	b, created, err := e.svc.StartCode(t.Context(), CodeAction{Token: "t1", Name: "Bound", By: e.user, Groups: groups(e.locks)})
	if err != nil || !created || len(b.Items) != len(e.locks) {
		t.Fatalf("start: %v, %v, %d items", err, created, len(b.Items))
	}
	e.svc.Wait()
	e.tr.mu.Lock()
	peak, total := e.tr.max, e.tr.total
	e.tr.mu.Unlock()
	if peak > Concurrency || peak < 2 || total != len(e.locks) {
		t.Errorf("%d creates, at most %d at once; want %d, 2..%d at once", total, peak, len(e.locks), Concurrency)
	}

	many := make([]db.Device, MaxItems+1)
	for i := range many {
		many[i] = e.locks[i%len(e.locks)]
	}
	_, _, err = e.svc.StartCode(t.Context(), CodeAction{Token: "t2", Name: "Too many", By: e.user, Groups: groups(many)})
	if !errors.Is(err, ErrTooMany) {
		t.Fatalf("over the limit: %v", err)
	}
	if recent, _ := e.store.RecentBulkActions(t.Context(), 5); len(recent) != 1 {
		t.Errorf("%d actions stored, want only the first", len(recent))
	}
	e.tr.mu.Lock()
	defer e.tr.mu.Unlock()
	if e.tr.total != total {
		t.Errorf("%d creates sent for a refused action", e.tr.total-total)
	}
}

// TestInterrupted: an action whose worker went silent (a restart) shows its unsent items failed as interrupted and
// retryable; a code action that created nothing cannot be retried (its PIN is kept nowhere), and says so.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.locks[0]
	b, _, err := e.store.CreateBulkAction(t.Context(), db.BulkAction{Kind: db.BulkCode, Token: "old",
		RequestedAt: time.Now().Add(-2 * StaleAfter), Items: []db.BulkItem{{PropertyID: *l.PropertyID, DeviceID: l.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Progress(t.Context(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Interrupted || !p.RetryFailed || p.Running || !p.Done || p.Failed != 1 || p.Items[0].State != db.BulkInterrupted {
		t.Fatalf("progress %+v", p)
	}
	if _, err := e.svc.Retry(t.Context(), b.ID, 0); !errors.Is(err, ErrNoPIN) {
		t.Errorf("retry: %v, want ErrNoPIN", err)
	}
	fresh, _, err := e.store.CreateBulkAction(t.Context(), db.BulkAction{Kind: db.BulkCode, Token: "new",
		Items: []db.BulkItem{{PropertyID: *l.PropertyID, DeviceID: l.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.svc.Progress(t.Context(), fresh.ID); !p.Running || p.Interrupted || p.Pending != 1 {
		t.Errorf("a running action was taken for interrupted: %+v", p)
	}
}

// TestHeartbeat: a worker waiting for a free upstream slot (every slot taken by other actions) keeps stamping its
// heartbeat, so it is never marked interrupted while it lives.
func TestHeartbeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.beat = 10 * time.Millisecond
	for range Concurrency {
		e.svc.sem <- struct{}{}
	}
	b, _, err := e.svc.StartCode(t.Context(), CodeAction{Token: "wait", Name: "Waits", By: e.user, Groups: groups(e.locks[:1])})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := e.store.BulkAction(t.Context(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HeartbeatAt.After(b.HeartbeatAt) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiting worker never stamped its heartbeat")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range Concurrency {
		<-e.svc.sem
	}
	e.svc.Wait()
	if p, _ := e.svc.Progress(t.Context(), b.ID); p.Running || p.Interrupted {
		t.Errorf("after the worker: %+v", p)
	}
}

// TestRetryRecreates: a lock whose create the upstream refused (or never got) is created again on retry, for that
// lock only, with the PIN of the code the same action did create.
func TestRetryRecreates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	a, b := e.locks[0], e.locks[len(e.locks)-1]
	first, _, err := e.svc.StartCode(ctx, CodeAction{Token: "first", Name: "Again", By: e.user, Groups: groups([]db.Device{a})})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Wait()
	done, _ := e.store.BulkAction(ctx, first.ID)
	codeA := done.Items[0].LockCodeID
	req := withLocks(groups([]db.Device{b})[0].Request, []Lock{{ID: b.ID}})
	req.Code = ""
	stored, _ := json.Marshal(req)
	act, _, err := e.store.CreateBulkAction(ctx, db.BulkAction{Kind: db.BulkCode, Token: "mixed", RequestedBy: &e.user,
		Items: []db.BulkItem{{PropertyID: *a.PropertyID, DeviceID: a.ID}, {Group: 1, PropertyID: *b.PropertyID, DeviceID: b.ID, Request: string(stored)}}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.store.SetBulkItems(ctx, act.ID, []int{0}, db.BulkSent, codeA, "", now))
	must(e.store.SetBulkItems(ctx, act.ID, []int{1}, db.BulkFailed, "", "refused", now))
	must(e.store.FinishBulkAction(ctx, act.ID, now))
	n, err := e.svc.Retry(ctx, act.ID, e.user)
	if err != nil || n != 1 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	e.svc.Wait()
	got, _ := e.store.BulkAction(ctx, act.ID)
	it := got.Items[1]
	if it.State != db.BulkSent || it.LockCodeID == "" || it.LockCodeID == codeA {
		t.Fatalf("the failed lock after the retry: %+v", it)
	}
	ca, _ := e.store.LockCode(ctx, codeA)
	cb, err := e.store.LockCode(ctx, it.LockCodeID)
	must(err)
	pa, _ := e.svc.codes.OpenPIN(ca)
	pb, _ := e.svc.codes.OpenPIN(cb)
	if pa == "" || pa != pb || len(cb.Devices) != 1 || cb.Devices[0].DeviceID != b.ID {
		t.Errorf("recreated code: PIN same %v, devices %+v", pa == pb, cb.Devices)
	}
}
