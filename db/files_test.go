package db

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenCreatesPrivateFiles: the folder, the database and its WAL and shared-memory files are the service
// user's alone, whatever the umask (here a permissive one).
func TestOpenCreatesPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o002) // not parallel: the umask is the process's
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path := filepath.Join(dir, "dashboard.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(t.Context(), `CREATE TABLE probe (x)`); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for p, mode := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), got, mode)
		}
	}
}

// TestOpenReadOnlyFileSaysWhatToDo: a database file that alone is read-only (its folder writable) is refused at
// open with the file, the cause and the fix, not at the first write with SQLite's "attempt to write a readonly
// database". As root, file modes refuse nothing, so the file is bind-mounted read-only onto itself.
func TestOpenReadOnlyFileSaysWhatToDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dashboard.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	readOnlyFile(t, path)
	_, err = Open(context.Background(), path)
	if err == nil {
		t.Fatal("a read-only database opened")
	}
	for _, want := range []string{path + " is not writable", "read-only", "chmod u+w", "DATABASE_PATH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "activity search index") || !errors.Is(err, ErrStorage) {
		t.Errorf("error %q: want ErrStorage, found before any write", err)
	}
}

func readOnlyFile(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out, err := exec.Command("mount", "--bind", path, path).CombinedOutput(); err != nil {
		t.Skipf("root ignores file modes and bind mounts are not allowed: %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", path).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", path, err, out)
		}
	})
	if out, err := exec.Command("mount", "-o", "remount,ro,bind", path).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v %s", path, err, bytes.TrimSpace(out))
	}
}
