package handlers

import (
	"sync"
	"time"
)

// cookieCacheMax bounds the cookie cache; when full it is emptied (every cookie is verified again on next use),
// which keeps memory flat however many cookies are presented.
const cookieCacheMax = 10_000

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
	if c.entries == nil || len(c.entries) >= cookieCacheMax {
		c.entries = make(map[string]cookieToken)
	}
	c.entries[value] = cookieToken{token: token, until: now.Add(cookieTokenTTL)}
}
