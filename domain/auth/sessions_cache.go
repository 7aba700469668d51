package auth

import (
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
)

// sessionCacheMax bounds the session cache; when full it is emptied (every entry is re-read on next use), which
// keeps the code simple and memory flat however many cookies are presented.
const sessionCacheMax = 10_000

// sessionCache remembers SessionUser answers so a signed-in page costs no session query. An entry is used only
// while the store's AuthVersion is the one it was read under: every revocation, sign-out, password change, role
// change or disabling moves that version, so revocation stays immediate. Time limits (absolute expiry, idle
// timeout) are re-checked against the clock on every use, exactly as the query checks them.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cachedSession
}

type cachedSession struct {
	version uint64
	session db.Session
	user    db.User
}

// get returns the cached session id when it was read under version and is neither expired nor idle at now.
func (c *sessionCache) get(id string, version uint64, now time.Time, idle time.Duration) (db.Session, db.User, bool) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok || e.version != version {
		return db.Session{}, db.User{}, false
	}
	// The same millisecond comparisons as db.SessionUser's query.
	if e.session.ExpiresAt.UnixMilli() <= now.UnixMilli() || e.session.LastSeenAt.UnixMilli() < now.Add(-idle).UnixMilli() {
		return db.Session{}, db.User{}, false
	}
	return e.session, e.user, true
}

func (c *sessionCache) put(id string, version uint64, s db.Session, u db.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= sessionCacheMax {
		c.entries = make(map[string]cachedSession)
	}
	c.entries[id] = cachedSession{version: version, session: s, user: u}
}

func (c *sessionCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
