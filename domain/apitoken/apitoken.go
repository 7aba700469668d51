// Package apitoken issues, checks, rate-limits and revokes the tokens of the read-only JSON API. A token is
// "kd_<lookup>_<secret>": lookup (16 characters) finds its row, and the SHA-256 of the whole token must match the
// stored hash. The secret is 32 random bytes, so a plain SHA-256 (no slow hash) is enough: nobody can guess it.
package apitoken

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/throttle"
)

// Prefix starts every token, so a leaked one is recognisable (secret scanners, logs).
const Prefix = "kd_"

// Limits of the API's tokens.
const (
	MaxNameLen = 100         // characters of a token's name
	TouchEvery = time.Minute // last-used time written at most this often per token
)

// Rate is a per-token limit: Burst calls at once, then one per Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// DefaultRate is 10 calls a second per token, after a burst of 20.
var DefaultRate = Rate{Every: 100 * time.Millisecond, Burst: 20}

// Errors Authenticate returns; both mean 401.
var (
	ErrInvalid = errors.New("apitoken: unknown or malformed token")
	ErrRevoked = errors.New("apitoken: token revoked")
)

var lookupEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Generate makes a new token and returns it with its lookup part and its hash (what the store keeps).
func Generate() (token, lookup, hash string, err error) {
	buf := make([]byte, 10+32)
	if _, err := rand.Read(buf); err != nil {
		return "", "", "", fmt.Errorf("apitoken: random: %w", err)
	}
	lookup = lookupEncoding.EncodeToString(buf[:10]) // 16 characters
	token = Prefix + lookup + "_" + base64.RawURLEncoding.EncodeToString(buf[10:])
	return token, lookup, Hash(token), nil
}

// Hash is the stored form of a token: the lower-case SHA-256 hex of all of it.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Parse returns the lookup part of a well-formed token.
func Parse(token string) (lookup string, ok bool) {
	rest, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return "", false
	}
	lookup, secret, ok := strings.Cut(rest, "_")
	if !ok || len(lookup) != 16 || len(secret) != 43 {
		return "", false
	}
	if _, err := lookupEncoding.DecodeString(lookup); err != nil {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", false
	}
	return lookup, true
}

// Service is the tokens' domain: creation, revocation, authentication, the per-token rate limit and the
// throttled last-used time.
type Service struct {
	store *db.Store
	limit *throttle.Limiter
	rate  Rate
	Now   func() time.Time

	mu      sync.Mutex
	touched map[int64]time.Time // when this instance last wrote each token's last-used time
}

// New returns the service over store with a per-token rate (zero: DefaultRate; Every at least 1 ms, the
// resolution of the PostgreSQL buckets). The limit is shared between instances on PostgreSQL (throttle.Shared).
func New(store *db.Store, rate Rate) *Service {
	if rate.Every <= 0 || rate.Burst <= 0 {
		rate = DefaultRate
	}
	rate.Every = max(rate.Every, time.Millisecond)
	return &Service{store: store, limit: throttle.Shared(store, "api_token", rate.Every, rate.Burst), rate: rate,
		Now: time.Now, touched: map[int64]time.Time{}}
}

// Rate is the per-token limit the service applies.
func (s *Service) Rate() Rate { return s.rate }

// NameProblem says what is wrong with a token's name, or "".
func NameProblem(name string) string {
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxNameLen || !utf8.ValidString(name) {
		return fmt.Sprintf("Enter a name of 1 to %d characters.", MaxNameLen)
	}
	return ""
}

// Create stores a new token named name with role's capabilities, made by the user createdBy, and returns the
// token (to show once) and its record.
func (s *Service) Create(ctx context.Context, name string, role db.Role, createdBy int64) (string, db.APIToken, error) {
	token, lookup, hash, err := Generate()
	if err != nil {
		return "", db.APIToken{}, err
	}
	by := &createdBy
	if createdBy == 0 {
		by = nil
	}
	t, err := s.store.CreateAPIToken(ctx, db.APIToken{Lookup: lookup, Hash: hash, Name: name, Role: role,
		CreatedBy: by, CreatedAt: s.Now()})
	return token, t, err
}

// Revoke ends a token at once: its next call gets 401.
func (s *Service) Revoke(ctx context.Context, id int64) error {
	return s.store.RevokeAPIToken(ctx, id, s.Now())
}

// Authenticate returns the live token record of token; ErrInvalid when there is none, ErrRevoked (with the
// record) when it was revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (db.APIToken, error) {
	lookup, ok := Parse(token)
	if !ok {
		return db.APIToken{}, ErrInvalid
	}
	t, err := s.store.APITokenByLookup(ctx, lookup)
	if errors.Is(err, db.ErrNotFound) {
		return db.APIToken{}, ErrInvalid
	}
	if err != nil {
		return db.APIToken{}, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(Hash(token))) != 1 {
		return db.APIToken{}, ErrInvalid
	}
	if t.RevokedAt != nil {
		return t, ErrRevoked
	}
	return t, nil
}

// Allow spends one call of the token's bucket. When the bucket is empty it spends nothing and says how long until
// the next call is allowed.
func (s *Service) Allow(ctx context.Context, id int64) (bool, time.Duration, error) {
	key, now := fmt.Sprint(id), s.Now()
	blocked, wait, err := s.limit.Blocked(ctx, key, now)
	if err != nil || blocked {
		return false, wait, err
	}
	return true, 0, s.limit.Fail(ctx, key, now) // "Fail" spends one token, whatever the call's outcome
}

// Touch records a use of the token: at most one write per token per TouchEvery from this instance, and the
// store's own condition keeps several instances to about the same.
func (s *Service) Touch(ctx context.Context, id int64) error {
	now := s.Now()
	s.mu.Lock()
	last, ok := s.touched[id]
	if ok && now.Sub(last) < TouchEvery {
		s.mu.Unlock()
		return nil
	}
	s.touched[id] = now
	s.mu.Unlock()
	_, err := s.store.TouchAPIToken(ctx, id, now, TouchEvery)
	return err
}
