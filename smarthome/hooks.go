package smarthome

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// requestIDKey holds the id of the dashboard request an upstream call is made for.
type requestIDKey struct{}

// WithRequestID returns ctx carrying id: every request the client sends under it carries X-Request-Id: id, so the
// upstream's logs and ours can be matched. The caller vouches for id (one line, short); an unsafe id is not sent.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id WithRequestID put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Call describes one finished call to the upstream (retries and a re-login included), for WithCallHook.
type Call struct {
	Method   string
	Route    string // the path with ids replaced by {id} (routeTemplate): a bounded set, fit for a metric label
	Outcome  string // ok, client_error (4xx), unauthorized (401/403), rate_limited (429), server_error (5xx), transport, canceled
	Status   int    // the last HTTP status; 0 when none arrived
	Duration time.Duration
}

// WithCallHook has fn told of every finished call, on the caller's goroutine: it must be quick (a metric).
func WithCallHook(fn func(Call)) Option {
	return func(s *settings) error { s.onCall = fn; return nil }
}

// WithLoginHook has fn told of the outcome of every login or token refresh (nil: it worked). A login that ended
// because its caller's context did is not reported: it says nothing about the credentials.
func WithLoginHook(fn func(error)) Option {
	return func(s *settings) error { s.onLogin = fn; return nil }
}

func (c *Client) reportCall(req *http.Request, resp *Response, err error, start time.Time) {
	call := Call{Method: req.Method, Route: routeTemplate(req.URL.Path), Duration: time.Since(start)}
	if resp != nil && resp.Response != nil {
		call.Status = resp.StatusCode
	}
	call.Outcome = outcome(call.Status, err)
	c.onCall(call)
}

func outcome(status int, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case status == 0:
		return "transport"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "unauthorized"
	case status >= 500:
		return "server_error"
	default:
		return "client_error" // a 4xx, or a 2xx saying "success": false
	}
}

// maxRouteSegments bounds a route template: deeper paths end in "…".
const maxRouteSegments = 6

// routeTemplate replaces each path segment that looks like an id (it holds a digit, or is longer than 24
// characters, or is not plain ASCII letters, '_' and '-') with {id}: "/api/devices/123/lock_codes" becomes
// "/api/devices/{id}/lock_codes". The client's routes name their resources in plain words, so the set stays small.
func routeTemplate(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) > maxRouteSegments {
		segs = append(segs[:maxRouteSegments], "…")
	}
	for i, s := range segs {
		if s != "…" && looksLikeID(s) {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

func looksLikeID(s string) bool {
	if len(s) > 24 {
		return true
	}
	for _, r := range s {
		if r > unicode.MaxASCII || unicode.IsDigit(r) || !(unicode.IsLetter(r) || r == '_' || r == '-') {
			return true
		}
	}
	return false
}

// ValidRequestID reports whether id may go out in a header: 1–64 of [A-Za-z0-9._-].
func ValidRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}
