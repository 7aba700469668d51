package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyless/dashboard/domain/metrics"
)

func TestConfigMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"unset", nil, ""},
		{"token and listener", map[string]string{"METRICS_TOKEN": "0123456789abcdef", "METRICS_ADDR": "127.0.0.1:9090"}, ""},
		{"short token", map[string]string{"METRICS_TOKEN": "short"}, "METRICS_TOKEN must be at least 16"},
		{"listener on ADDR", map[string]string{"ADDR": "127.0.0.1:8080", "METRICS_ADDR": "127.0.0.1:8080"}, "METRICS_ADDR must differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig([]string{"web"}, testGetenv(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MetricsToken != tt.env["METRICS_TOKEN"] || cfg.MetricsAddr != tt.env["METRICS_ADDR"] {
				t.Errorf("got token %q addr %q", cfg.MetricsToken, cfg.MetricsAddr)
			}
		})
	}
}

// TestRunOps: the demo dashboard becomes ready after its first sync and login, serves /metrics on ADDR only with
// the token and on METRICS_ADDR without one, and logs the request id.
func TestRunOps(t *testing.T) {
	const token = "run-ops-metrics-token-0123456789"
	a := startApp(t, map[string]string{"METRICS_TOKEN": token, "METRICS_ADDR": "127.0.0.1:0"})
	waitFor(t, 30*time.Second, "/readyz 200", func() (bool, error) {
		resp, err := http.Get(a.URL + "/readyz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	get := func(url, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		req.Header.Set("X-Request-Id", "run-ops-1")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := get(a.URL+"/metrics", ""); st != http.StatusNotFound {
		t.Errorf("/metrics without the token: %d, want 404", st)
	}
	st, body := get(a.URL+"/metrics", "Bearer "+token)
	if st != http.StatusOK || !strings.Contains(body, `dashboard_sync_runs_total{outcome="ok"}`) ||
		!strings.Contains(body, `dashboard_upstream_logins_total{outcome="ok"}`) {
		t.Errorf("/metrics with the token: %d\n%.2000s", st, body)
	}
	var metricsAddr string
	for _, line := range strings.Split(a.logs.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			metricsAddr = rec.Addr
		}
	}
	if metricsAddr == "" {
		t.Fatal("no metrics listening line")
	}
	if st, body := get("http://"+metricsAddr+"/metrics", ""); st != http.StatusOK || !strings.Contains(body, "dashboard_http_requests_total") {
		t.Errorf("METRICS_ADDR /metrics: %d", st)
	}
	found := false
	for _, line := range strings.Split(a.logs.String(), "\n") {
		found = found || (strings.Contains(line, `"msg":"request failed"`) && strings.Contains(line, `"request_id":"run-ops-1"`))
	}
	if !found {
		t.Error("no log line carries the request id")
	}
}

// TestKeepLoggedIn: a failed login is retried until one works; then the job only watches.
func TestKeepLoggedIn(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	var tries atomic.Int32
	login := func(context.Context) error {
		err := error(nil)
		if tries.Add(1) == 1 {
			err = errors.New("refused")
		}
		m.Login(err) // as the client's hook would
		return err
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { keepLoggedIn(m, login)(ctx); close(done) }()
	waitFor(t, 15*time.Second, "a second login", func() (bool, error) { return tries.Load() >= 2, nil })
	if _, err := m.LastLogin(); err != nil {
		t.Errorf("last login %v, want it to have worked", err)
	}
	cancel()
	<-done
	if n := tries.Load(); n != 2 {
		t.Errorf("%d logins, want 2 (one failed, one retried)", n)
	}
}
