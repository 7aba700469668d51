package handlers

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

// cookieTokenTTL is how long a verified cookie's token is remembered.
const cookieTokenTTL = time.Minute

// cookieCache remembers which token a cookie value carried once it was verified and decrypted: checking the MAC,
// decrypting and gob-decoding the cookie cost more than the rest of a cached session lookup. Only a cookie that
// decoded is remembered, byte for byte, so a forged or altered one is always checked; whether its session is still
// valid is decided by the session lookup on every request, as before.
type cookieCache struct {
	mu      sync.Mutex
	entries map[string]cookieToken
}

type cookieToken struct {
	token string
	until time.Time
}

func (c *cookieCache) get(value string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[value]
	if !ok || !now.Before(e.until) {
		return "", false
	}
	return e.token, true
}

func (c *cookieCache) put(value, token string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= sessionCacheMax {
		c.entries = make(map[string]cookieToken)
	}
	c.entries[value] = cookieToken{token: token, until: now.Add(cookieTokenTTL)}
}
