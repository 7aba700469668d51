package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readOnlyView returns a read-only path to dir: a read-only bind mount when this process may mount (root, as in
// CI: root ignores file modes), else dir itself with its write bits removed. The view is undone when the test ends.
func readOnlyView(t *testing.T, dir string) string {
	t.Helper()
	view := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(view, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "--bind", dir, view).CombinedOutput()
	if err == nil {
		t.Cleanup(func() {
			if out, err := exec.Command("umount", "-l", view).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v %s", view, err, out)
			}
		})
		if out, err := exec.Command("mount", "-o", "remount,ro,bind", view).CombinedOutput(); err != nil {
			t.Fatalf("remount %s read-only: %v %s", view, err, bytes.TrimSpace(out))
		}
		return view
	}
	if os.Geteuid() == 0 {
		t.Skipf("root cannot be refused a write by file modes, and mount failed: %v %s", err, bytes.TrimSpace(out))
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	return dir
}

// TestFaultsReadOnlyDatabase: a dashboard started on a database it cannot write stops at once and says why (a
// read-only file or disk), instead of serving pages that would fail at the first write; on the same database made
// writable again it starts and answers /healthz 200. (A database that turns read-only while the dashboard runs is
// the full-disk test's path: writes fail with 503s.)
func TestFaultsReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dashboard binary")
	}
	bin := buildWebBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_PATH": filepath.Join(dir, "dashboard.db"),
		"BCRYPT_COST": "4", "DEMO_USERS": "false"}
	first := startChild(t, bin, env)
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-first.done

	view := readOnlyView(t, dir)
	ro := map[string]string{}
	for k, v := range env {
		ro[k] = v
	}
	ro["DATABASE_PATH"] = filepath.Join(view, "dashboard.db")
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range ro {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err == nil {
			t.Fatal("the dashboard exited 0 on a read-only database")
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatal("the dashboard kept running on a read-only database")
	}
	if msg := stderr.String(); !strings.Contains(msg, "read-only") {
		t.Errorf("the exit message does not say the database is read-only: %q", msg)
	}

	again := startChild(t, bin, env) // the original, writable path: startChild waits for /healthz 200
	_ = again.cmd.Process.Signal(syscall.SIGTERM)
	<-again.done
	if again.err != nil {
		t.Errorf("clean stop: %v", again.err)
	}
}
