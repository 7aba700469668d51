package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/metrics"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

const (
	testMetricsToken  = "ops-test-metrics-token-0123"
	testWebhookSecret = "ops-webhook-secret"
)

// opsEnv is a dashboard wired as cmd/web wires its metrics: the client's call and login hooks, the syncer's OnRun,
// the store's batch hook. Unlike newTestEnv it may start with no sync at all (readiness before the first sync).
type opsEnv struct {
	*testEnv
	m        *metrics.Metrics
	syncer   *mirror.Syncer
	upHeader *headerRecorder
}

func newOpsEnv(t *testing.T, syncFirst bool) *opsEnv {
	t.Helper()
	ctx := t.Context()
	env := &testEnv{logs: &syncBuffer{}, users: map[db.Role]testUser{}}
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	env.store, env.closeStore = store, func() { once.Do(func() { store.Close() }) }
	t.Cleanup(env.closeStore)
	sim, err := simulator.Start(context.WithoutCancel(ctx), simulator.Options{CommandDelay: 50 * time.Millisecond, Properties: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	env.sim = sim
	t.Cleanup(func() { sim.Close() })

	e := &opsEnv{testEnv: env, m: metrics.New(), upHeader: &headerRecorder{base: &http.Transport{}}}
	store.OnIngestBatch(func(b db.IngestBatch) { e.m.IngestBatch(b.Items, b.Took, b.OK) })
	t.Cleanup(e.upHeader.base.CloseIdleConnections)
	agent := simulator.DefaultAgents()[0]
	env.api, err = smarthome.NewClient(smarthome.WithBaseURL(sim.URL), smarthome.WithAgentLogin(agent.Username, agent.Password),
		smarthome.WithHTTPClient(&http.Client{Transport: e.upHeader, Timeout: 10 * time.Second}),
		smarthome.WithRetry(1, time.Millisecond, 5*time.Millisecond),
		smarthome.WithCallHook(e.m.UpstreamCall), smarthome.WithLoginHook(e.m.Login))
	if err != nil {
		t.Fatal(err)
	}
	env.hasher = auth.NewPasswordHasher(4)
	if env.sessions, err = NewSessions(logger, store, SessionOptions{Secret: testSecret}); err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		env.users[r] = env.createUser(t, string(r)+"@test.example", "Test "+string(r), r)
	}
	env.broker = live.New(logger, live.Options{})
	t.Cleanup(env.broker.Close)
	e.syncer = mirror.NewSyncer(logger, store, upstream.New(env.api), mirror.SyncOptions{Rate: 1000})
	e.syncer.OnRun(e.m.SyncRun)
	if syncFirst {
		if _, err := e.syncer.SyncNow(ctx); err != nil {
			t.Fatalf("setup sync: %v", err)
		}
	}
	h := NewServer(Deps{Logger: logger, Store: store, Sessions: env.sessions, Hasher: env.hasher, Syncer: e.syncer,
		Upstream: upstream.New(env.api), Broker: env.broker, Metrics: e.m},
		Options{MetricsToken: testMetricsToken, WebhookSecrets: []string{testWebhookSecret}})
	env.srv = httptest.NewServer(h)
	t.Cleanup(env.srv.Close)
	t.Cleanup(env.broker.Close) // first: the server's Close waits for open streams
	return e
}

// headerRecorder records the X-Request-Id of every request the client sends to the upstream, by path.
type headerRecorder struct {
	base *http.Transport
	mu   sync.Mutex
	ids  map[string][]string // X-Request-Id → paths
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if id := r.Header.Get("X-Request-Id"); id != "" {
		h.mu.Lock()
		if h.ids == nil {
			h.ids = map[string][]string{}
		}
		h.ids[id] = append(h.ids[id], r.URL.Path)
		h.mu.Unlock()
	}
	return h.base.RoundTrip(r)
}

func (h *headerRecorder) paths(id string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids[id]...)
}

// scrape reads /metrics with the token and parses the text format.
func (e *opsEnv) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	res := e.get(t, e.srv.Client(), "/metrics", http.Header{"Authorization": {"Bearer " + testMetricsToken}})
	if res.status != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", res.status, res.body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample returns the value of the family's series whose labels include want (a counter's or gauge's value, a
// histogram's count), and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			ok = ok && labels[k] == v
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}
