package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testStart is the fake clock's start: Tuesday 10 March 2026, 15:00 UTC.
var testStart = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// env is a running simulator on a fake clock with an HTTP client for it.
type env struct {
	t     *testing.T
	sim   *Simulator
	clock *FakeClock
	hc    *http.Client
}

// start runs a simulator on 127.0.0.1 with a fake clock (unless opts has one) and closes it after the test.
func start(t *testing.T, opts Options) *env {
	t.Helper()
	clock, _ := opts.Clock.(*FakeClock)
	if opts.Clock == nil {
		clock = NewFakeClock(testStart)
		opts.Clock = clock
	}
	if opts.Properties == 0 {
		opts.Properties = 12
	}
	opts.Control = true
	s, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{t: t, sim: s, clock: clock, hc: &http.Client{Timeout: 10 * time.Second}}
}

// do sends a request (body: nil, []byte, string or a value to encode) and returns the status and body.
func (e *env) do(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.sim.URL+path, rd)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, out
}

// call is do plus decoding the answer into out (when not nil); it fails the test on a status other than want.
func (e *env) call(method, path, token string, body any, want int, out any) []byte {
	e.t.Helper()
	status, b := e.do(method, path, token, body)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// login returns an agent token (the installer by default).
func (e *env) login(user, pass string) string {
	e.t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	e.call("POST", "/api/agents", "", map[string]string{"username": user, "password": pass, "grant_type": "password"}, 200, &out)
	return out.AccessToken
}

func (e *env) installer() string { return e.login("demo-agent", "demo-agent-password") }
func (e *env) leasing() string   { return e.login("leasing-agent", "leasing-agent-password") }

// resident returns the demo resident's access token.
func (e *env) resident() string {
	e.t.Helper()
	var out struct {
		Success     bool   `json:"success"`
		AccessToken string `json:"access_token"`
	}
	e.call("POST", "/oauth/token", "", map[string]string{"email": "resident@example.com", "password": "resident-password"}, 200, &out)
	if !out.Success {
		e.t.Fatal("resident login failed")
	}
	return out.AccessToken
}

// advance moves the fake clock and waits for the resulting webhooks.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if err := e.sim.Advance(d); err != nil {
		e.t.Fatalf("Advance: %v", err)
	}
	if err := e.sim.Flush(e.t.Context()); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
}

// events returns the decoded bodies of recorded webhooks, optionally only of one message type.
func (e *env) events(messageType string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, d := range e.sim.Deliveries() {
		if d.Duplicate || (messageType != "" && d.MessageType != messageType) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(d.Body, &m); err != nil {
			e.t.Fatalf("webhook body %s: %v", d.Body, err)
		}
		out = append(out, m)
	}
	return out
}

// firstOf returns the first device of a type at the first property (the resident's home), read under the lock.
func (e *env) firstOf(deviceType string) *device {
	e.t.Helper()
	e.sim.mu.Lock()
	defer e.sim.mu.Unlock()
	first := e.sim.st.idx().sortedProps[0].ID
	for _, d := range e.sim.st.idx().devsByProperty[first] {
		if d.Type == deviceType {
			return d
		}
	}
	e.t.Fatalf("no %s at property %d", deviceType, first)
	return nil
}

// with runs fn under the simulator's lock (tests arranging state directly).
func (e *env) with(fn func(st *state)) {
	e.sim.mu.Lock()
	defer e.sim.mu.Unlock()
	fn(e.sim.st)
	e.sim.st.invalidate()
}

// decode unmarshals b into a generic map.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}
