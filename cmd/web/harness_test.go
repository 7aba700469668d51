package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testApp is a running dashboard started through run, as `make run` starts it, on a free loopback port.
type testApp struct {
	URL  string
	logs *syncBuffer
}

// startApp calls run with env (plus a temp database and a free port) and waits until /healthz answers.
// The app stops when the test ends, and run must then return nil.
func startApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	full := map[string]string{
		"ADDR":              "127.0.0.1:0",
		"DATABASE_PATH":     filepath.Join(t.TempDir(), "dashboard.db"),
		"SIM_COMMAND_DELAY": "200ms",
		"BCRYPT_COST":       "4",
	}
	for k, v := range env {
		full[k] = v
	}
	getenv := func(k string) string { return full[k] }
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	addr := make(chan string, 1)
	go func() { // the listening address is only known from the log line run writes
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			logs.WriteLine(line)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
	}()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"web"}, getenv, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after cancel", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("run did not return within 20s of cancel")
		}
	})
	var a testApp
	select {
	case got := <-addr:
		a = testApp{URL: "http://" + got, logs: logs}
	case err := <-done:
		t.Fatalf("run exited early: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening line within 30s\n%s", logs.String())
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(a.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never answered 200: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &a
}

// client returns an HTTP client with a cookie jar that does not follow redirects, so tests see each 303.
func (a *testApp) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs c in and fails the test unless the app redirects away from the login page.
func (a *testApp) login(t *testing.T, c *http.Client, email, password string) {
	t.Helper()
	resp, err := c.PostForm(a.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("login %s: status %d\n%s", email, resp.StatusCode, body)
	}
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, lastErr)
}

type syncBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *syncBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

var errNotYet = errors.New("not yet")

// waitSynced waits until the first mirror sync has filled the property list, signed in as the demo admin.
func (a *testApp) waitSynced(t *testing.T) {
	t.Helper()
	a.waitSyncedAs(t, "admin@example.com", "demo-admin-password")
}

// waitSyncedAs is waitSynced signed in as email.
func (a *testApp) waitSyncedAs(t *testing.T, email, password string) {
	t.Helper()
	c := a.client(t)
	a.login(t, c, email, password)
	waitFor(t, 30*time.Second, "the first mirror sync", func() (bool, error) {
		resp, err := c.Get(a.URL + "/properties")
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), `data-testid="property-row"`), errNotYet
	})
}
