package ingest

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
)

// verifier checks a delivery against the configured secrets (WEBHOOK_SECRET, comma-separated for rotation): a
// ?token=<secret> query parameter, or a Standard Webhooks signature made with one of them (within
// smarthome.SignatureTolerance of now: the replay window). With no secret configured every delivery is accepted,
// unverified, and the home page warns about it.
type verifier struct {
	secrets []string
	digests [][sha256.Size]byte // SHA-256 of each secret: tokens are compared in constant time at a fixed length
}

func newVerifier(secrets []string) verifier {
	a := verifier{}
	for _, s := range secrets {
		if s != "" {
			a.secrets = append(a.secrets, s)
			a.digests = append(a.digests, sha256.Sum256([]byte(s)))
		}
	}
	return a
}

// authResult is the verdict on one delivery.
type authResult struct {
	ok            bool   // accepted: verified, or no secret configured
	signedOrToken bool   // verified by a token or a signature
	signatureID   string // the webhook-id of a verified signature: the delivery's dedupe key
	reason        string // why not ok: a db.Reason* value
	detail        string // why not ok, in words, never naming a secret
}

// check judges a delivery by its ?token= query parameter or its signature headers.
func (a verifier) check(token string, header http.Header, body []byte, now time.Time) authResult {
	if len(a.secrets) == 0 {
		return authResult{ok: true}
	}
	if token != "" && a.tokenMatches(token) {
		return authResult{ok: true, signedOrToken: true}
	}
	err := smarthome.VerifySignature(header, body, a.secrets, now)
	switch {
	case err == nil:
		return authResult{ok: true, signedOrToken: true, signatureID: clip.String(header.Get(smarthome.HeaderWebhookID), 200)}
	case errors.Is(err, smarthome.ErrSignatureExpired):
		return authResult{reason: db.ReasonExpiredSignature,
			detail: "The signature's timestamp is more than 5 minutes from now: a replay, or a clock far off."}
	case token != "":
		return authResult{reason: db.ReasonBadSignature, detail: "The token does not match the webhook secret."}
	case errors.Is(err, smarthome.ErrMissingSignature):
		return authResult{reason: db.ReasonUnauthenticated, detail: "No token and no signature, while a webhook secret is set."}
	default:
		return authResult{reason: db.ReasonBadSignature, detail: "The signature matches no webhook secret."}
	}
}

func (a verifier) tokenMatches(token string) bool {
	d := sha256.Sum256([]byte(token))
	match := 0
	for _, s := range a.digests { // every secret is compared, so timing says nothing about which matched
		match |= subtle.ConstantTimeCompare(d[:], s[:])
	}
	return match == 1
}

// Inbox rate limit for unverified senders: a flood of forged or garbage deliveries must not fill the disk. Each
// kept row holds at most unverifiedKeep bytes; refused deliveries are counted, and the count goes on the next kept
// row and the inbox page.
const (
	UnverifiedPerMinute = 60 // unverified deliveries kept per minute, after the burst
	UnverifiedBurst     = 30 // unverified deliveries kept at once before the rate applies
)

// inboxLimiter decides which unverified deliveries are kept.
type inboxLimiter struct {
	lim        *rate.Limiter
	mu         sync.Mutex
	suppressed int   // refused since the last kept row
	refused    int64 // refused since start
}

func newInboxLimiter() *inboxLimiter {
	return &inboxLimiter{lim: rate.NewLimiter(rate.Limit(UnverifiedPerMinute)/60, UnverifiedBurst)}
}

// take reports whether one more unverified delivery may be kept at now, and how many were refused before it.
func (l *inboxLimiter) take(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.lim.AllowN(now, 1) {
		l.suppressed++
		l.refused++
		return false, 0
	}
	n := l.suppressed
	l.suppressed = 0
	return true, n
}

// unkeep restores the refusal count handed out by take when the row carrying it could not be written.
func (l *inboxLimiter) unkeep(suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.suppressed += suppressed
}

// Refused is how many unverified deliveries were refused without being kept since start.
func (l *inboxLimiter) Refused() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}
