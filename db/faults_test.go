package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestStorageFaults: the errors a full or read-only disk produces are told apart from other failures, and each
// gets the sentence a person reads.
func TestStorageFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		fault   bool
		problem string
	}{
		{"sqlite full", fmt.Errorf("commit: %w", sqlite3.Error{Code: sqlite3.ErrFull}), true, "is full"},
		{"sqlite read-only", fmt.Errorf("begin: %w", sqlite3.Error{Code: sqlite3.ErrReadonly}), true, "read-only"},
		{"sqlite I/O error", sqlite3.Error{Code: sqlite3.ErrIoErr}, true, "refuses writes"},
		{"ENOSPC", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, true, "is full"},
		{"EROFS", &os.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, true, "read-only"},
		{"busy is not a storage fault", sqlite3.Error{Code: sqlite3.ErrBusy}, false, ""},
		{"constraint is not", sqlite3.Error{Code: sqlite3.ErrConstraint}, false, ""},
		{"not found is not", ErrNotFound, false, ""},
		{"nil", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsStorageFault(tt.err); got != tt.fault {
				t.Fatalf("IsStorageFault(%v) = %v, want %v", tt.err, got, tt.fault)
			}
			if tt.fault && !strings.Contains(StorageProblem(tt.err), tt.problem) {
				t.Errorf("StorageProblem(%v) = %q, want %q in it", tt.err, StorageProblem(tt.err), tt.problem)
			}
		})
	}
}

// TestWriteCheck: a healthy store passes; a store whose folder refuses new files fails with ErrStorage. (Root
// ignores file modes, so the refusal is only checked for other users; the full-disk case runs in cmd/web on a
// tmpfs.)
func TestWriteCheck(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.WriteCheck(t.Context()); err != nil {
		t.Fatalf("healthy store: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(s.path)); len(entries) > 0 {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".write-check-") {
				t.Errorf("probe file %s left behind", e.Name())
			}
		}
	}
	if os.Geteuid() == 0 {
		return
	}
	dir := filepath.Dir(s.path)
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if err := s.WriteCheck(t.Context()); !errors.Is(err, ErrStorage) {
		t.Errorf("read-only folder: %v, want ErrStorage", err)
	}
}
