package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine and the polling test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var urlRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startRun runs the program in the background and returns its URL, its output and a stop function that waits for
// run to return and reports its error.
func startRun(t *testing.T, args []string, env map[string]string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"simulator"}, args...), func(k string) string { return env[k] }, out)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run returned early: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no URL printed:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func login(t *testing.T, url, path string, body map[string]string) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), "POST", url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode == 200 && m["success"] == false {
		return 401 // the resident login answers a wrong password with 200 and success:false
	}
	return resp.StatusCode
}

func TestRunServesAndStops(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	url, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0", "-properties", "3", "-state", state, "-fake-clock"}, nil)
	for _, want := range []string{"demo-agent", "demo-agent-password", "leasing-agent", "resident@example.com", "/_sim/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	if got := login(t, url, "/api/agents", map[string]string{"username": "demo-agent", "password": "demo-agent-password", "grant_type": "password"}); got != 200 {
		t.Errorf("agent login %d", got)
	}
	resp, err := http.Post(url+"/_sim/clock/advance", "application/json", strings.NewReader(`{"seconds":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("advance with -fake-clock: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Errorf("run: %v", err)
	}
	if _, err := http.Get(url + "/api/hubs"); err == nil {
		t.Error("the server is still up after shutdown")
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("no shutdown line:\n%s", out.String())
	}
}

func TestRunEnvironmentAccounts(t *testing.T) {
	env := map[string]string{"SIM_AGENT_USERNAME": "ops", "SIM_AGENT_PASSWORD": "s3cret-pass",
		"SIM_RESIDENT_EMAIL": "r@example.com", "SIM_RESIDENT_PASSWORD": "r-pass"}
	url, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0", "-properties", "2", "-control=false"}, env)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	if strings.Contains(out.String(), "s3cret-pass") || strings.Contains(out.String(), "r-pass") {
		t.Errorf("the banner prints a password from the environment:\n%s", out.String())
	}
	tests := []struct {
		name, path string
		body       map[string]string
		want       int
	}{
		{"env agent", "/api/agents", map[string]string{"username": "ops", "password": "s3cret-pass", "grant_type": "password"}, 200},
		{"replaced default agent", "/api/agents", map[string]string{"username": "demo-agent", "password": "demo-agent-password", "grant_type": "password"}, 401},
		{"leasing agent stays", "/api/agents", map[string]string{"username": "leasing-agent", "password": "leasing-agent-password", "grant_type": "password"}, 200},
		{"env resident", "/oauth/token", map[string]string{"email": "r@example.com", "password": "r-pass"}, 200},
		{"replaced default resident", "/oauth/token", map[string]string{"email": "resident@example.com", "password": "resident-password"}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := login(t, url, tt.path, tt.body); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	if resp, err := http.Get(url + "/_sim/clock"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("-control=false still serves /_sim/: %d", resp.StatusCode)
		}
	}
}

func TestRunConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"bad number", []string{"-properties", "many"}, nil},
		{"stray argument", []string{"extra"}, nil},
		{"half an agent", nil, map[string]string{"SIM_AGENT_USERNAME": "ops"}},
		{"half a resident", nil, map[string]string{"SIM_RESIDENT_PASSWORD": "x"}},
		{"bad webhook url", []string{"-webhook-url", "not a url", "-addr", "127.0.0.1:0"}, nil},
		{"busy address", []string{"-addr", "256.0.0.1:1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			err := run(t.Context(), append([]string{"simulator"}, tt.args...), func(k string) string { return tt.env[k] }, &out)
			if err == nil {
				t.Error("run accepted the configuration")
			}
		})
	}
}
