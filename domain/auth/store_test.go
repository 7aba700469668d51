package auth

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// newStore opens a fresh SQLite store in the test's temporary directory.
func newStore(t *testing.T) *db.Store {
	t.Helper()
	s, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newUser(t *testing.T, s *db.Store, email string, role db.Role) db.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), db.User{Email: email, Name: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// clock is a settable time for the session timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
