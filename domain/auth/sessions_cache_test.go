package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestSessionCache: an entry answers only under the AuthVersion it was read with and within both time limits, and
// the cache never grows past its bound.
func TestSessionCache(t *testing.T) {
	t.Parallel()
	var c sessionCache
	now := time.Now()
	sess := db.Session{ID: "a", LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	c.put("a", 7, sess, db.User{ID: 1})
	if _, u, ok := c.get("a", 7, now.Add(time.Minute), 30*time.Minute); !ok || u.ID != 1 {
		t.Errorf("get under the same version = %v, %v", u, ok)
	}
	if _, _, ok := c.get("a", 8, now, 30*time.Minute); ok {
		t.Error("an entry answered after the AuthVersion moved")
	}
	if _, _, ok := c.get("a", 7, now.Add(31*time.Minute), 30*time.Minute); ok {
		t.Error("an idle session answered from the cache")
	}
	if _, _, ok := c.get("a", 7, now.Add(time.Hour), 2*time.Hour); ok {
		t.Error("an expired session answered from the cache")
	}
	c.forget("a")
	if _, _, ok := c.get("a", 7, now, 30*time.Minute); ok {
		t.Error("a forgotten entry answered")
	}
	for i := range sessionCacheMax + 1 {
		c.put(fmt.Sprint("s", i), 7, sess, db.User{})
	}
	if n := len(c.entries); n > sessionCacheMax {
		t.Errorf("%d entries, want at most %d", n, sessionCacheMax)
	}
}
