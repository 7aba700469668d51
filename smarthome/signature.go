package smarthome

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers, which the simulator adds when it has a secret (the real upstream signs nothing).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// SignatureTolerance is how far a signed timestamp may be from now, either way.
const SignatureTolerance = 5 * time.Minute

// Signature errors, distinct so a receiver can count and report them apart.
var (
	// ErrMissingSignature: a Standard Webhooks header is absent or empty.
	ErrMissingSignature = errors.New("smarthome: webhook signature headers missing")
	// ErrSignatureExpired: the signed timestamp is more than SignatureTolerance from now.
	ErrSignatureExpired = errors.New("smarthome: webhook signature timestamp outside tolerance")
	// ErrBadSignature: no signature matches any secret (or the headers are malformed, or no secret is set).
	ErrBadSignature = errors.New("smarthome: webhook signature does not match")
)

// secretKey turns a configured secret into HMAC key bytes: "whsec_<base64>" is decoded (the Standard Webhooks
// convention); any other string, including a whsec_ string that is not valid base64, is used as raw bytes.
func secretKey(secret string) []byte {
	if b64, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(b64); err == nil && len(key) > 0 {
			return key
		}
	}
	return []byte(secret)
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the webhook-signature header value ("v1,<base64>") for body sent as id at ts.
func Sign(id string, ts time.Time, body []byte, secret string) string {
	sum := mac(secretKey(secret), id, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(sum)
}

// VerifySignature checks a Standard Webhooks signature over the raw body: HMAC-SHA256 of "id.timestamp.body"
// with any of secrets (several during a rotation), any "v1,<base64>" entry of webhook-signature matching, and the
// timestamp within SignatureTolerance of now. Comparison is constant-time.
func VerifySignature(h http.Header, body []byte, secrets []string, now time.Time) error {
	id, ts, sigs := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp), h.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || strings.TrimSpace(sigs) == "" {
		return ErrMissingSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not epoch seconds", ErrBadSignature)
	}
	if secs < now.Add(-SignatureTolerance).Unix() || secs > now.Add(SignatureTolerance).Unix() {
		return ErrSignatureExpired
	}
	var keys [][]byte
	for _, s := range secrets {
		if s != "" {
			keys = append(keys, secretKey(s))
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: no secret configured", ErrBadSignature)
	}
	for _, entry := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(got) != sha256.Size {
			continue
		}
		for _, key := range keys {
			if hmac.Equal(got, mac(key, id, ts, body)) {
				return nil
			}
		}
	}
	return ErrBadSignature
}
