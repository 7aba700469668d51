package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// diskSize is the tmpfs the full-disk test runs the database on: the demo portfolio's database and WAL take a few
// MiB, and the rest is filled by the test.
const diskSize = "48m"

// mountTmpfs mounts a tmpfs of size at a new folder and unmounts it when the test ends (after everything
// registered later, such as the app, has stopped). It skips the test when mounting is impossible (not root).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root, as in CI): %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// filler takes every free byte of a filesystem: fill (again) after SQLite frees space, e.g. by truncating its WAL.
type filler struct {
	t *testing.T
	f *os.File
}

func newFiller(t *testing.T, dir string) *filler {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &filler{t: t, f: f}
}

// fill appends to the file until the filesystem has no space left.
func (fl *filler) fill() {
	fl.t.Helper()
	for _, chunk := range []int{1 << 20, 4 << 10, 512} {
		buf := make([]byte, chunk)
		for range 1 << 12 { // bounded: 4 GiB in 1 MiB chunks is far beyond any tmpfs this test mounts
			if _, err := fl.f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					fl.t.Fatalf("filling the disk: %v", err)
				}
				break
			}
		}
	}
}

// free gives all the space back.
func (fl *filler) free() {
	fl.t.Helper()
	if err := fl.f.Truncate(0); err != nil {
		fl.t.Fatal(err)
	}
}

// hookReply is one webhook answer.
type hookReply struct {
	status     int
	retryAfter string
	body       string
}

// postHook sends body with the ?token= secret.
func postHook(t *testing.T, base, secret string, body []byte) hookReply {
	t.Helper()
	resp, err := http.Post(base+"/webhooks/smarthome?token="+url.QueryEscape(secret), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return hookReply{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}
}

func diskHook(n int) []byte {
	return fmt.Appendf(nil, `{"hub_id":"disk-hub","device_type":"hub","message_type":"heartbeat","details":"disk-%d","activity_time":%d}`,
		n, time.Now().UnixMilli())
}

// getPage fetches path with c and returns the status and body.
func getPage(t *testing.T, c *http.Client, target string) (int, string) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFaultsDiskFull: the database's disk fills up while the dashboard runs. Webhooks are answered 503 with
// Retry-After (so the sender keeps them), /healthz says 503 and why, a page that must write shows a clear error
// page (not a blank page, not a stack trace), pages that only read still work; once space returns, the refused
// delivery is stored on its retry and everything answers 200 again.
func TestFaultsDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs and fills it")
	}
	dir := mountTmpfs(t, diskSize)
	const secret = "disk-full-webhook-secret"
	app := startApp(t, map[string]string{"DATABASE_PATH": filepath.Join(dir, "dashboard.db"), "WEBHOOK_SECRET": secret})
	app.waitSynced(t)
	staff := app.client(t)
	app.login(t, staff, "staff@example.com", "demo-staff-password")
	if r := postHook(t, app.URL, secret, diskHook(0)); r.status != http.StatusOK {
		t.Fatalf("webhook before the fault: %d %s", r.status, r.body)
	}

	disk := newFiller(t, dir)
	var refused []byte
	for n := 1; n <= 200 && refused == nil; n++ { // SQLite may free space (WAL truncation): fill again each time
		disk.fill()
		body := diskHook(n)
		r := postHook(t, app.URL, secret, body)
		switch r.status {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			if r.retryAfter == "" {
				t.Errorf("503 without Retry-After: the sender would not know when to retry")
			}
			refused = body
		default:
			t.Fatalf("webhook on a full disk answered %d %s, want 200 or 503", r.status, r.body)
		}
	}
	if refused == nil {
		t.Fatal("200 webhooks were stored on a full disk: the test did not fill it")
	}

	status, body := getPage(t, http.DefaultClient, app.URL+"/healthz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "disk holding the database is full") {
		t.Errorf("/healthz on a full disk: %d %q, want 503 saying the disk is full", status, body)
	}
	// Signing in must write a session: once that write fails, the page says what is wrong.
	signedIn := true
	for try := 0; try < 50 && signedIn; try++ {
		disk.fill()
		resp, err := app.client(t).PostForm(app.URL+"/login", url.Values{"email": {"admin@example.com"}, "password": {"demo-admin-password"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if signedIn = resp.StatusCode == http.StatusSeeOther; !signedIn {
			checkErrorPage(t, "sign-in on a full disk", resp.StatusCode, string(page))
		}
	}
	if signedIn {
		t.Error("50 sign-ins stored their session on a full disk")
	}
	// Reading needs no space.
	if status, body := getPage(t, staff, app.URL+"/properties"); status != http.StatusOK {
		checkErrorPage(t, "a read-only page on a full disk", status, body)
	}

	disk.free()
	if r := postHook(t, app.URL, secret, refused); r.status != http.StatusOK || !strings.Contains(r.body, `"stored"`) {
		t.Fatalf("the refused delivery, retried after space returned: %d %s", r.status, r.body)
	}
	if status, body := getPage(t, http.DefaultClient, app.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz after space returned: %d %q", status, body)
	}
	app.login(t, app.client(t), "admin@example.com", "demo-admin-password")
}

// checkErrorPage fails unless a page is a clear 503 error page about the disk: not blank, no stack trace.
func checkErrorPage(t *testing.T, what string, status int, body string) {
	t.Helper()
	if status != http.StatusServiceUnavailable {
		t.Errorf("%s: status %d, want 503\n%.2000s", what, status, body)
	}
	if !strings.Contains(body, "cannot save anything right now") || !strings.Contains(body, "<html") {
		t.Errorf("%s: the page does not say what is wrong:\n%.2000s", what, body)
	}
	for _, leak := range []string{"goroutine ", "panic", "sqlite3", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("%s: the page shows internals (%q)", what, leak)
		}
	}
}
