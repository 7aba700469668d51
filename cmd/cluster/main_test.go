package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is stdout shared between run and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRun: the cluster starts PostgreSQL and two instances, prints both addresses and the admin login, both answer
// /healthz, A receives the simulator's webhooks, and cancelling stops everything and removes the folders.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dashboard and starts PostgreSQL")
	}
	if _, err := exec.LookPath("pg_ctl"); err != nil && os.Getenv("CI") != "true" {
		if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl"); len(dirs) == 0 {
			t.Skip("PostgreSQL is not installed")
		}
	}
	web := filepath.Join(t.TempDir(), "web")
	if out, err := exec.Command("go", "build", "-o", web, "github.com/keyless/dashboard/cmd/web").CombinedOutput(); err != nil {
		t.Fatalf("build the dashboard: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"cluster", "-web", web, "-port-a", "0", "-port-b", "0", "-life", "5"}, os.Getenv, out)
	}()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "logs ") {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, out.String())
		case <-deadline:
			cancel()
			t.Fatalf("no banner within 2 minutes:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	banner := out.String()
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^\s+` + name + `\s+(\S+)`).FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("the banner has no %q line:\n%s", name, banner)
		}
		return m[1]
	}
	urlA, urlB, logs := field("instance A"), field("instance B"), field("logs")
	if !strings.Contains(banner, "admin@example.com / ") {
		t.Errorf("the banner does not give the admin login:\n%s", banner)
	}
	for _, u := range []string{urlA, urlB} {
		resp, err := http.Get(u + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s/healthz: %v %v", u, resp, err)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
	// The simulator's life events (5 a second) reach A as webhooks, which A logs as requests.
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(logs, "a.log"))
		if bytes.Contains(b, []byte(`"/webhooks/smarthome"`)) {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("no webhook reached instance A in a minute:\n%.3000s", b)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("run did not stop within a minute of the cancel")
	}
	if _, err := os.Stat(logs); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder %s is still there (%v)", logs, err)
	}
}
