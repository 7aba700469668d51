package smarthome

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

const (
	// The Standard Webhooks reference secret and its raw key.
	swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	rawKey   = "plain-secret-from-env"
)

func signedHeader(id string, ts time.Time, body []byte, sigs ...string) http.Header {
	h := http.Header{}
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	for i, s := range sigs {
		if i == 0 {
			h.Set(HeaderWebhookSignature, s)
		} else {
			h.Set(HeaderWebhookSignature, h.Get(HeaderWebhookSignature)+" "+s)
		}
	}
	return h
}

// TestSignKnownVector checks Sign against the Standard Webhooks specification's published example.
func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	body := []byte(`{"test": 2432232314}`)
	got := Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), body, swSecret)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestSignRawSecret(t *testing.T) {
	t.Parallel()
	body := []byte(`{}`)
	m := hmac.New(sha256.New, []byte(rawKey))
	m.Write([]byte("id1.100." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := Sign("id1", time.Unix(100, 0), body, rawKey); got != want {
		t.Errorf("raw secret: Sign = %q, want %q", got, want)
	}
	// whsec_ followed by something that is not base64 is a raw secret too.
	m = hmac.New(sha256.New, []byte("whsec_not base64!"))
	m.Write([]byte("id1.100." + string(body)))
	want = "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := Sign("id1", time.Unix(100, 0), body, "whsec_not base64!"); got != want {
		t.Errorf("bad whsec: Sign = %q, want %q", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"hub_id": "h1", "message_type": "online", "activity_time": 1546862518845}`)
	good := Sign("msg_1", now, body, swSecret)
	old := Sign("msg_1", now, body, "whsec_b2xkLXNlY3JldC1rZXktMjAyNQ==")
	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		secrets []string
		want    error
	}{
		{"valid", signedHeader("msg_1", now, body, good), body, []string{swSecret}, nil},
		{"raw secret", signedHeader("msg_1", now, body, Sign("msg_1", now, body, rawKey)), body, []string{rawKey}, nil},
		{"rotated: old signature, both secrets", signedHeader("msg_1", now, body, old), body, []string{swSecret, "whsec_b2xkLXNlY3JldC1rZXktMjAyNQ=="}, nil},
		{"several signatures, one good", signedHeader("msg_1", now, body, "v1,AAAA", "v2,"+good[3:], old, good), body, []string{swSecret}, nil},
		{"empty secret skipped", signedHeader("msg_1", now, body, good), body, []string{"", swSecret}, nil},
		{"wrong secret", signedHeader("msg_1", now, body, good), body, []string{rawKey}, ErrBadSignature},
		{"no secrets", signedHeader("msg_1", now, body, good), body, nil, ErrBadSignature},
		{"tampered body", signedHeader("msg_1", now, body, good), append([]byte(" "), body...), []string{swSecret}, ErrBadSignature},
		{"other id", signedHeader("msg_2", now, body, good), body, []string{swSecret}, ErrBadSignature},
		{"v2 only", signedHeader("msg_1", now, body, "v2,"+good[3:]), body, []string{swSecret}, ErrBadSignature},
		{"garbage base64", signedHeader("msg_1", now, body, "v1,!!!not-base64!!!"), body, []string{swSecret}, ErrBadSignature},
		{"no comma", signedHeader("msg_1", now, body, "v1"+good[3:]), body, []string{swSecret}, ErrBadSignature},
		{"truncated signature", signedHeader("msg_1", now, body, good[:20]), body, []string{swSecret}, ErrBadSignature},
		{"missing id", signedHeader("", now, body, good), body, []string{swSecret}, ErrMissingSignature},
		{"missing signature", signedHeader("msg_1", now, body), body, []string{swSecret}, ErrMissingSignature},
		{"blank signature", signedHeader("msg_1", now, body, "   "), body, []string{swSecret}, ErrMissingSignature},
		{"missing timestamp", func() http.Header {
			h := signedHeader("msg_1", now, body, good)
			h.Del(HeaderWebhookTimestamp)
			return h
		}(), body, []string{swSecret}, ErrMissingSignature},
		{"bad timestamp", func() http.Header {
			h := signedHeader("msg_1", now, body, good)
			h.Set(HeaderWebhookTimestamp, "soon")
			return h
		}(), body, []string{swSecret}, ErrBadSignature},
	}
	// ±5 minute edges: exactly 5 minutes passes both ways, one second more fails.
	for _, d := range []time.Duration{SignatureTolerance, -SignatureTolerance} {
		ts := now.Add(d)
		sig := Sign("msg_1", ts, body, swSecret)
		tests = append(tests, struct {
			name    string
			header  http.Header
			body    []byte
			secrets []string
			want    error
		}{"edge " + d.String(), signedHeader("msg_1", ts, body, sig), body, []string{swSecret}, nil})
		further := time.Second
		if d < 0 {
			further = -further
		}
		ts = now.Add(d + further)
		sig = Sign("msg_1", ts, body, swSecret)
		tests = append(tests, struct {
			name    string
			header  http.Header
			body    []byte
			secrets []string
			want    error
		}{"past edge " + d.String(), signedHeader("msg_1", ts, body, sig), body, []string{swSecret}, ErrSignatureExpired})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := VerifySignature(tt.header, tt.body, tt.secrets, now)
			if tt.want == nil {
				if err != nil {
					t.Errorf("VerifySignature = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.want)
			}
			for _, other := range []error{ErrMissingSignature, ErrSignatureExpired, ErrBadSignature} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("error also matches %v", other)
				}
			}
		})
	}
}
