package smarthome

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors matched with errors.Is against the errors this package returns.
var (
	// ErrNotFound matches a 404 reply.
	ErrNotFound = errors.New("smarthome: not found")
	// ErrUnauthorized matches a 401 reply and a rejected login.
	ErrUnauthorized = errors.New("smarthome: unauthorized")
	// ErrForbidden matches a 403 reply (role, ownership, or a resident asking for hub activities).
	ErrForbidden = errors.New("smarthome: forbidden")
	// ErrRateLimited matches a 429 reply that was still limited after the retries.
	ErrRateLimited = errors.New("smarthome: rate limited")
	// ErrValidation matches a 400 or 422 reply and every check this package makes before sending a request.
	ErrValidation = errors.New("smarthome: invalid request")
	// ErrConflict matches a 409 reply (for example a command to an offline hub, or a duplicate PIN).
	ErrConflict = errors.New("smarthome: conflict")
	// ErrUnavailable matches a 5xx reply that persisted after the retries.
	ErrUnavailable = errors.New("smarthome: service unavailable")
	// ErrRejected matches a 2xx reply whose body says "success": false, which several documented routes use
	// for failures ("Email is invalid", "Sorry, code could not be generated …").
	ErrRejected = errors.New("smarthome: request rejected")
)

// maxErrorBody bounds how much of an error body is read; maxErrorText bounds a non-JSON body kept as Message.
const (
	maxErrorBody = 1 << 20
	maxErrorText = 512
)

// ErrorResponse is any non-2xx reply, or a 2xx reply whose body says "success": false.
type ErrorResponse struct {
	Response         *http.Response // the reply; its Body is already closed
	StatusCode       int            // HTTP status of the reply
	Message          string         // "message" of {"success": false, "message": …}, or the trimmed text of a non-JSON body
	OAuthError       string         // "error" of an OAuth2-style login failure
	OAuthDescription string         // "error_description" of an OAuth2-style login failure
	RetryAfter       time.Duration  // the Retry-After header, when the reply carried one
}

// Error reads "smarthome: METHOD /path: status text: message". It never includes request bodies or headers.
func (e *ErrorResponse) Error() string {
	var b strings.Builder
	b.WriteString("smarthome: ")
	if e.Response != nil && e.Response.Request != nil && e.Response.Request.URL != nil {
		fmt.Fprintf(&b, "%s %s: ", e.Response.Request.Method, e.Response.Request.URL.Path)
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if msg := cmp.Or(e.Message, e.OAuthDescription, e.OAuthError); msg != "" {
		b.WriteString(": " + msg)
	}
	return b.String()
}

// Is maps the status code to the package's sentinel errors, so callers write errors.Is(err, smarthome.ErrNotFound).
func (e *ErrorResponse) Is(target error) bool {
	s := e.StatusCode
	switch target {
	case ErrNotFound:
		return s == http.StatusNotFound
	case ErrUnauthorized:
		return s == http.StatusUnauthorized
	case ErrForbidden:
		return s == http.StatusForbidden
	case ErrRateLimited:
		return s == http.StatusTooManyRequests
	case ErrValidation:
		return s == http.StatusBadRequest || s == http.StatusUnprocessableEntity
	case ErrConflict:
		return s == http.StatusConflict
	case ErrUnavailable:
		return s >= 500 && s <= 599
	case ErrRejected:
		return s >= 200 && s <= 299
	}
	return false
}

// newErrorResponse decodes an error body: {"message"}, {"error","error_description"}, or plain text.
func newErrorResponse(resp *http.Response, body []byte) *ErrorResponse {
	e := &ErrorResponse{Response: resp, StatusCode: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var wire struct {
		Message          json.RawMessage `json:"message"`
		Error            json.RawMessage `json:"error"`
		ErrorDescription json.RawMessage `json:"error_description"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &wire) == nil {
		e.Message = messageText(wire.Message)
		e.OAuthError = messageText(wire.Error)
		e.OAuthDescription = messageText(wire.ErrorDescription)
		return e
	}
	e.Message = capText(string(trimmed), maxErrorText)
	return e
}

// messageText renders a message field that is usually a string but may be a list of strings (Rails validation
// errors) or something else entirely.
func messageText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	return capText(string(raw), maxErrorText)
}

// capText trims s to at most n bytes without splitting a UTF-8 sequence.
func capText(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// scrub masks every secret (password, token, PIN) found in an error's texts, in case the server echoes a request
// back in its error message. Short strings are skipped: masking "12" would mangle ordinary text.
//
// It never writes to err: one error value can reach several callers at once (a login shared by every request
// that waited on it), and each caller scrubs what it received. The result wraps err with a masked copy of its
// *ErrorResponse, found first by errors.As, and masks the whole Error() text.
func scrub(err error, secrets ...string) error {
	var e *ErrorResponse
	if !errors.As(err, &e) {
		return err
	}
	masked, kept := *e, secrets[:0:0]
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		kept = append(kept, s)
		masked.Message = strings.ReplaceAll(masked.Message, s, redactedText)
		masked.OAuthError = strings.ReplaceAll(masked.OAuthError, s, redactedText)
		masked.OAuthDescription = strings.ReplaceAll(masked.OAuthDescription, s, redactedText)
	}
	if masked == *e {
		return err
	}
	return &scrubbedError{err: err, masked: &masked, secrets: kept}
}

const redactedText = "[redacted]"

// scrubbedError is an error whose *ErrorResponse had secrets in it: the masked copy comes first in the chain.
type scrubbedError struct {
	err     error
	masked  *ErrorResponse
	secrets []string
}

func (s *scrubbedError) Error() string {
	text := s.err.Error()
	for _, secret := range s.secrets {
		text = strings.ReplaceAll(text, secret, redactedText)
	}
	return text
}

// Unwrap lists the masked copy before the original, so errors.As finds the copy and errors.Is still sees every
// sentinel and wrapped cause of the original.
func (s *scrubbedError) Unwrap() []error { return []error{s.masked, s.err} }

// Format keeps %+v and %#v from printing the original's fields.
func (s *scrubbedError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprintf(f, "%#v", s.masked)
		return
	}
	io.WriteString(f, s.Error())
}

// validationError is a problem found before sending; it matches ErrValidation.
func validationError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrValidation}, args...)...)
}
