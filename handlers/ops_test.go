package handlers

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// post sends a webhook delivery with the query (the token) and returns the status and the answer's "status".
func (e *opsEnv) post(t *testing.T, query string, body []byte) (int, string) {
	t.Helper()
	resp, err := e.srv.Client().Post(e.srv.URL+"/webhooks/smarthome"+query, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep webhookReply
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	return resp.StatusCode, rep.Status
}

func TestMetricsAfterTraffic(t *testing.T) {
	t.Parallel()
	env := newOpsEnv(t, true)
	admin := env.signedInClient(t, db.RoleAdmin)
	dev, hub := (&whEnv{testEnv: env.testEnv}).mirrored(t, "lock")
	if res := env.get(t, admin, "/devices/"+dev.ID); res.status != http.StatusOK {
		t.Fatalf("GET /devices/%s: %d", dev.ID, res.status)
	}
	body := deviceEvent(dev, hub, "Unlock", "", "Keypad", time.Now())
	for _, c := range []struct {
		query, want string
	}{{"?token=" + testWebhookSecret, "stored"}, {"?token=" + testWebhookSecret, "duplicate"}, {"?token=guess", "rejected"}} {
		if _, got := env.post(t, c.query, body); got != c.want {
			t.Fatalf("webhook %s: %q, want %q", c.query, got, c.want)
		}
	}
	env.stream(t, admin, "/events")
	waitSubscribed(t, env.testEnv, 1)

	fams := env.scrape(t)
	for _, c := range []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"dashboard_http_requests_total", map[string]string{"route": "GET /devices/{id}", "status": "200"}, 1},
		{"dashboard_http_requests_total", map[string]string{"route": "POST /webhooks/smarthome", "status": "401"}, 1},
		{"dashboard_http_request_duration_seconds", map[string]string{"route": "GET /devices/{id}"}, 1},
		{"dashboard_webhook_deliveries_total", map[string]string{"result": "accepted"}, 1},
		{"dashboard_webhook_deliveries_total", map[string]string{"result": "duplicate"}, 1},
		{"dashboard_webhook_deliveries_total", map[string]string{"result": "rejected"}, 1},
		{"dashboard_ingest_batch_size", nil, 1},
		{"dashboard_ingest_commit_seconds", nil, 1},
		{"dashboard_sse_subscribers", nil, 1},
		{"dashboard_sse_dropped_events_total", nil, 0},
		{"dashboard_sse_slow_clients_total", nil, 0},
		{"dashboard_sync_runs_total", map[string]string{"outcome": "ok"}, 1},
		{"dashboard_sync_last_success_age_seconds", nil, 0},
		{"dashboard_upstream_requests_total", map[string]string{"method": "GET", "route": "/api/hubs/{id}", "outcome": "ok"}, 1},
		{"dashboard_upstream_request_duration_seconds", map[string]string{"method": "POST", "route": "/api/agents"}, 1},
		{"dashboard_upstream_logins_total", map[string]string{"outcome": "ok"}, 1},
		{"dashboard_journal_waiting", nil, 0},
	} {
		got, ok := sample(fams, c.name, c.labels)
		if !ok || got < c.min {
			t.Errorf("%s%v = %v (present %v), want at least %v", c.name, c.labels, got, ok, c.min)
		}
	}
	// The SSE stream is not in the latency histogram: it is still open, and a stream would skew every bucket.
	if _, ok := sample(fams, "dashboard_http_request_duration_seconds", map[string]string{"route": "GET /events"}); ok {
		t.Error("GET /events has a latency series")
	}
	for _, name := range []string{"dashboard_http_requests_total", "dashboard_upstream_requests_total"} {
		for _, m := range fams[name].GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), dev.ID) || strings.Contains(l.GetValue(), hub.ID) {
					t.Errorf("%s has an id in label %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

func TestMetricsNeedTheToken(t *testing.T) {
	t.Parallel()
	env := newOpsEnv(t, false)
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusNotFound},
		{"wrong token", "Bearer not-the-token-at-all", http.StatusNotFound},
		{"token without Bearer", testMetricsToken, http.StatusNotFound},
		{"token with a suffix", "Bearer " + testMetricsToken + "x", http.StatusNotFound},
		{"right token", "Bearer " + testMetricsToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.get(t, env.srv.Client(), "/metrics", http.Header{"Authorization": {tt.auth}})
			if res.status != tt.want {
				t.Errorf("status %d, want %d", res.status, tt.want)
			}
			if tt.want == http.StatusNotFound && strings.Contains(res.body, "dashboard_http_requests_total") {
				t.Error("the 404 carries metrics")
			}
		})
	}
	t.Run("no token configured", func(t *testing.T) {
		srv := httptest.NewServer(NewServer(Deps{Logger: slog.New(slog.DiscardHandler), Store: env.store, Sessions: env.sessions,
			Hasher: env.hasher, Syncer: env.syncer, Upstream: upstream.New(env.api)}, Options{}))
		t.Cleanup(srv.Close)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer ")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
}

// readyz reads /readyz.
func (e *opsEnv) readyz(t *testing.T) (int, readyReply) {
	t.Helper()
	res := e.get(t, e.srv.Client(), "/readyz")
	var rep readyReply
	if err := json.Unmarshal([]byte(res.body), &rep); err != nil {
		t.Fatalf("/readyz: %v\n%s", err, res.body)
	}
	return res.status, rep
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	env := newOpsEnv(t, false)
	want := func(status int, notReady ...string) {
		t.Helper()
		got, rep := env.readyz(t)
		if got != status || strings.Join(rep.NotReady, ",") != strings.Join(notReady, ",") || rep.Ready != (status == 200) {
			t.Fatalf("/readyz: %d %+v, want %d not ready %v", got, rep, status, notReady)
		}
	}
	want(http.StatusServiceUnavailable, "first_sync", "upstream") // nothing has logged in or synced yet
	if res := env.get(t, env.srv.Client(), "/healthz"); res.status != http.StatusOK {
		t.Fatalf("/healthz %d before the first sync, want 200 (liveness is not readiness)", res.status)
	}

	if _, err := env.syncer.SyncNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	want(http.StatusOK)

	if err := env.sim.SetFault(simulator.Fault{Route: "POST /api/agents", Rate: 1, Status: http.StatusUnauthorized}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.api.Agents.Token(t.Context()); err == nil {
		t.Fatal("login worked through the fault")
	}
	want(http.StatusServiceUnavailable, "upstream")
	if err := env.sim.SetFault(simulator.Fault{Route: "POST /api/agents"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.api.Agents.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	want(http.StatusOK)

	env.closeStore()
	got, rep := env.readyz(t)
	if got != http.StatusServiceUnavailable || len(rep.NotReady) == 0 || rep.NotReady[0] != "database" {
		t.Fatalf("/readyz with the store closed: %d %+v, want 503 naming database", got, rep)
	}
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// logLines returns the JSON log lines whose msg is msg.
func (e *opsEnv) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(e.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	env := newOpsEnv(t, true)
	admin := env.signedInClient(t, db.RoleAdmin)
	dev, _ := (&whEnv{testEnv: env.testEnv}).mirrored(t, "lock")
	id := func(v string) http.Header { return http.Header{"X-Request-Id": {v}} }

	t.Run("well-formed id is kept, logged with the user", func(t *testing.T) {
		res := env.get(t, admin, "/devices/"+dev.ID, id("req-abc.123_X"))
		if res.status != http.StatusOK || res.header.Get("X-Request-Id") != "req-abc.123_X" {
			t.Fatalf("status %d, X-Request-Id %q", res.status, res.header.Get("X-Request-Id"))
		}
		found := false
		for _, l := range env.logLines(t, "request") {
			if l["request_id"] == "req-abc.123_X" {
				found = true
				if l["user_id"] != float64(env.users[db.RoleAdmin].ID) {
					t.Errorf("access log user_id %v, want %d", l["user_id"], env.users[db.RoleAdmin].ID)
				}
			}
		}
		if !found {
			t.Errorf("no access-log line carries the request id:\n%s", env.logs.String())
		}
	})
	t.Run("error page and error log line show it", func(t *testing.T) {
		res := env.get(t, admin, "/devices/no-such-device", id("err-req-7"))
		if res.status != http.StatusNotFound {
			t.Fatalf("status %d", res.status)
		}
		if got := res.doc.Find("[data-testid=error-request-id] code").Text(); got != "err-req-7" {
			t.Errorf("error page shows request id %q, want err-req-7", got)
		}
		found := false
		for _, l := range env.logLines(t, "request failed") {
			found = found || l["request_id"] == "err-req-7"
		}
		if !found {
			t.Error("the request-failed line has no request_id")
		}
	})
	t.Run("upstream calls carry it", func(t *testing.T) {
		res := env.postForm(t, admin, "/sync", nil, id("sync-req-42"))
		if res.status >= 400 {
			t.Fatalf("POST /sync: %d", res.status)
		}
		paths := env.upHeader.paths("sync-req-42")
		if len(paths) == 0 {
			t.Fatal("no upstream request carried X-Request-Id sync-req-42")
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, "/api/") {
				t.Errorf("id sent to %s", p)
			}
		}
	})
	hostile := []struct{ name, id string }{
		{"markup", `<script>alert("id")</script>`},
		{"10 KB", strings.Repeat("A", 10<<10)},
		{"65 characters", strings.Repeat("b", 65)},
		{"space", "two words"},
		{"non-ASCII", "idé"},
	}
	for _, tt := range hostile {
		t.Run("replaced: "+tt.name, func(t *testing.T) {
			res := env.get(t, env.srv.Client(), "/no-such-page", id(tt.id))
			got := res.header.Get("X-Request-Id")
			if !generatedID.MatchString(got) {
				t.Errorf("X-Request-Id %q, want 32 hex digits", got)
			}
			if shown := res.doc.Find("[data-testid=error-request-id] code").Text(); shown != got {
				t.Errorf("error page shows %q, want %q", shown, got)
			}
			if strings.Contains(env.logs.String(), tt.id) || strings.Contains(res.body, tt.id) {
				t.Error("the hostile id reached the log or the page")
			}
		})
	}
}

// TestRequestIDNewline: a header value with a newline cannot cross the wire (net/http refuses it), so the
// middleware is called directly.
func TestRequestIDNewline(t *testing.T) {
	t.Parallel()
	var seen string
	h := withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = requestID(r.Context()) }))
	for _, v := range []string{"a\nb", "a\r\nSet-Cookie: x=1", "\x00"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["X-Request-Id"] = []string{v}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !generatedID.MatchString(seen) || rec.Header().Get("X-Request-Id") != seen {
			t.Errorf("%q: context id %q, header %q", v, seen, rec.Header().Get("X-Request-Id"))
		}
	}
}
