package smarthome

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

func TestRouteTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, path, want string }{
		{"list", "/api/hubs", "/api/hubs"},
		{"numeric id", "/api/hubs/123/devices", "/api/hubs/{id}/devices"},
		{"uuid", "/api/devices/914b13e0-3e8e-47ef-9975-8adf8d2dfda1", "/api/devices/{id}"},
		{"words stay", "/api/lock_codes/sync-status", "/api/lock_codes/sync-status"},
		{"long word", "/api/abcdefghijklmnopqrstuvwxyz", "/api/{id}"},
		{"escaped", "/api/hubs/a%20b", "/api/hubs/{id}"},
		{"deep", "/a/b/c/d/e/f/g/h", "/a/b/c/d/e/f/…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routeTemplate(tt.path); got != tt.want {
				t.Errorf("routeTemplate(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

// callLog collects what the hooks were told.
type callLog struct {
	mu     sync.Mutex
	calls  []Call
	logins []error
}

func (l *callLog) call(c Call) { l.mu.Lock(); defer l.mu.Unlock(); l.calls = append(l.calls, c) }
func (l *callLog) login(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logins = append(l.logins, err)
}

func TestHooksAndRequestID(t *testing.T) {
	t.Parallel()
	var log callLog
	f := setup(t, WithCallHook(log.call), WithLoginHook(log.login), WithRetry(0, 1, 1))
	var seen []string
	var mu sync.Mutex
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Request-Id"))
		mu.Unlock()
		if r.PathValue("id") == "404" {
			writeJSON(w, http.StatusNotFound, `{"success": false, "message": "no such hub"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"success": true, "hub": {"id": "77"}}`)
	})
	ctx := WithRequestID(context.Background(), "req-1")
	if _, _, err := f.client.Hubs.Get(ctx, "77"); err != nil {
		t.Fatal(err)
	}
	_, _, _ = f.client.Hubs.Get(WithRequestID(context.Background(), "bad id\n"), "404")
	if len(seen) != 2 || seen[0] != "req-1" || seen[1] != "" {
		t.Errorf("X-Request-Id sent %q, want [req-1, none]", seen)
	}
	want := []Call{
		{Method: "POST", Route: "/api/agents", Outcome: "ok", Status: 200},
		{Method: "GET", Route: "/api/hubs/{id}", Outcome: "ok", Status: 200},
		{Method: "GET", Route: "/api/hubs/{id}", Outcome: "client_error", Status: 404},
	}
	if len(log.calls) != len(want) {
		t.Fatalf("calls %+v, want %+v", log.calls, want)
	}
	for i, c := range log.calls {
		c.Duration = 0
		if c != want[i] {
			t.Errorf("call %d = %+v, want %+v", i, c, want[i])
		}
	}
	if len(log.logins) != 1 || log.logins[0] != nil {
		t.Errorf("logins %v, want one that worked", log.logins)
	}
	f.setLogin(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"error": "invalid_grant"}`)
	})
	if _, _, err := f.client.Agents.Token(context.Background()); err == nil {
		t.Fatal("login worked")
	}
	if len(log.logins) != 2 || log.logins[1] == nil {
		t.Errorf("logins %v, want the second failed", log.logins)
	}
}
