package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// mirrorCounts is the size of the mirror, as the home page counts it.
func mirrorCounts(t *testing.T, env *testEnv) db.Counts {
	t.Helper()
	c, err := env.store.PortfolioCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSyncNowHTMX(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	before, err := env.store.LastSync(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := env.signedInClient(t, db.RoleInstaller)
	res := env.postForm(t, c, "/sync", url.Values{}, htmx)
	wantStatus(t, res, http.StatusOK)
	st := one(t, res.doc, "sync-status")
	if st.AttrOr("data-ok", "") != "true" || byTestID(res.doc, "sync-error").Length() != 0 {
		t.Errorf("sync-status after a good sync: ok=%q\n%s", st.AttrOr("data-ok", ""), res.body)
	}
	one(t, res.doc, "sync-now")
	if byTestID(res.doc, "brand").Length() != 0 {
		t.Error("the sync answer carries the layout")
	}
	after, err := env.store.LastSync(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.ID == before.ID || !after.OK {
		t.Errorf("no new good sync run: %+v → %+v", before, after)
	}
	entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "mirror.sync"})
	if err != nil || len(entries) != 1 || entries[0].Outcome != db.OutcomeOK || entries[0].UserEmail != env.users[db.RoleInstaller].Email {
		t.Errorf("audit %+v %v", entries, err)
	}

	status := env.get(t, c, "/sync")
	wantStatus(t, status, http.StatusOK)
	if one(t, status.doc, "sync-status").AttrOr("data-ok", "") != "true" {
		t.Error("GET /sync: not ok")
	}
}

// TestSyncRedirectsBack: without htmx, "Sync now" returns to the page it was pressed on.
func TestSyncRedirectsBack(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	res := env.postForm(t, c, "/sync", url.Values{}, http.Header{"Referer": {env.srv.URL + "/properties?q=oak"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/properties?q=oak" {
		t.Errorf("Location %q, want /properties?q=oak", got)
	}
}

// upstreamFailure breaks the upstream one way; each leaves the mirror as it was.
type upstreamFailure struct {
	name    string
	breakIt func(t *testing.T, env *testEnv)
	fixIt   func(t *testing.T, env *testEnv) // nil: cannot be undone
}

func upstreamFailures() []upstreamFailure {
	fault := func(f simulator.Fault) func(*testing.T, *testEnv) {
		return func(t *testing.T, env *testEnv) {
			if err := env.sim.SetFault(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	clear := func(_ *testing.T, env *testEnv) { env.sim.ClearFaults() }
	return []upstreamFailure{
		{"every route 500", fault(simulator.Fault{Rate: 1, Status: 500}), clear},
		{"hub devices 500 (a partial read)", fault(simulator.Fault{Route: "GET /api/hubs/{id}/devices", Rate: 1, Status: 500}), clear},
		{"rate limited", fault(simulator.Fault{Rate: 1, Status: 429}), clear},
		{"refused 403", fault(simulator.Fault{Route: "GET /api/hubs", Rate: 1, Status: 403}), clear},
		{"simulator stopped", func(t *testing.T, env *testEnv) { env.sim.Close() }, nil},
	}
}

func TestSyncUpstreamFailing(t *testing.T) {
	t.Parallel()
	for _, f := range upstreamFailures() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			before := mirrorCounts(t, env)
			up := readUpstream(t, env.api)
			c := env.signedInClient(t, db.RoleStaff)
			// A change upstream that the failed sync must not half-apply.
			changed := up.hubs[0]
			if err := env.sim.SetHubOnline(changed.ID, !changed.Online()); err != nil {
				t.Fatal(err)
			}
			f.breakIt(t, env)

			res := env.postForm(t, c, "/sync", url.Values{}, htmx)
			wantStatus(t, res, http.StatusOK)
			if one(t, res.doc, "sync-status").AttrOr("data-ok", "") != "false" {
				t.Error("sync-status says ok")
			}
			one(t, res.doc, "sync-error")
			msg := text(one(t, res.doc, "sync-error-message"))
			last, err := env.store.LastSync(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if last.OK || last.Error == "" || msg != last.Error {
				t.Errorf("recorded run %+v, widget says %q", last, msg)
			}
			if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "/api/") {
				t.Errorf("the error shown leaks internals: %q", msg)
			}
			entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "mirror.sync"})
			if err != nil || len(entries) != 1 || entries[0].Outcome != db.OutcomeFailed {
				t.Errorf("audit %+v %v", entries, err)
			}

			if got := mirrorCounts(t, env); got != before {
				t.Errorf("a failed sync changed the mirror: %+v → %+v", before, got)
			}
			hub, err := env.store.Hub(t.Context(), changed.ID)
			if err != nil || hub.Online != changed.Online() {
				t.Errorf("hub %s: mirrored online=%v, want the old %v (%v)", changed.ID, hub.Online, changed.Online(), err)
			}
			list := env.get(t, c, "/properties")
			wantStatus(t, list, http.StatusOK)
			if n := byTestID(list.doc, "property-row").Length(); n != before.Properties {
				t.Errorf("the list shows %d properties, the mirror has %d", n, before.Properties)
			}
			for _, path := range []string{"/", "/properties", "/hubs", "/hubs/" + changed.ID,
				"/properties/" + strconv.FormatInt(*up.hubs[0].PropertyID, 10), "/devices/" + up.hubs[0].devices[0].ID} {
				page := env.get(t, c, path)
				wantStatus(t, page, http.StatusOK)
				n := page.doc.Find(`[data-testid="notices"] [data-testid="notice"]`)
				if n.Length() != 1 {
					t.Fatalf("%s: %d upstream notices, want 1", path, n.Length())
				}
				if got := text(n); !strings.Contains(got, last.Error) || !strings.Contains(got, "last good sync") {
					t.Errorf("%s: notice %q does not give the error and the data's age", path, got)
				}
			}

			if f.fixIt == nil {
				return
			}
			f.fixIt(t, env)
			res = env.postForm(t, c, "/sync", url.Values{}, htmx)
			wantStatus(t, res, http.StatusOK)
			if one(t, res.doc, "sync-status").AttrOr("data-ok", "") != "true" {
				t.Errorf("the sync after the fix failed: %s", res.body)
			}
			if env.get(t, c, "/properties").doc.Find(`[data-testid="notices"] [data-testid="notice"]`).Length() != 0 {
				t.Error("the upstream notice stays after a good sync")
			}
			if hub, _ := env.store.Hub(t.Context(), changed.ID); hub.Online == changed.Online() {
				t.Error("the good sync did not bring the upstream change")
			}
		})
	}
}

// TestSyncCoalesces: callers that ask while a sync runs wait for it instead of starting their own upstream pass.
func TestSyncCoalesces(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	env.upstream.n.Store(0)
	if _, err := env.syncer.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	onePass := env.upstream.n.Load()
	if onePass < 3 {
		t.Fatalf("one sync made %d upstream requests", onePass)
	}

	// Slow the first request of a pass, so the others arrive while it runs.
	if err := env.sim.SetFault(simulator.Fault{Route: "GET /api/properties", Latency: 800 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	env.upstream.n.Store(0)
	const callers = 5
	runs := make([]db.SyncRun, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	wg.Go(func() { runs[0], errs[0] = env.syncer.SyncNow(ctx) })
	deadline := time.Now().Add(5 * time.Second)
	for !env.syncer.Running() {
		if time.Now().After(deadline) {
			t.Fatal("the first sync never started")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < callers; i++ {
		wg.Go(func() { runs[i], errs[i] = env.syncer.SyncNow(ctx) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || !runs[i].OK || !runs[i].StartedAt.Equal(runs[0].StartedAt) {
			t.Errorf("caller %d: %+v %v, want the first caller's run", i, runs[i], errs[i])
		}
	}
	if got := env.upstream.n.Load(); got != onePass {
		t.Errorf("%d callers made %d upstream requests, one pass makes %d", callers, got, onePass)
	}
}
