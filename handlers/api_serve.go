package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
)

// apiFunc answers one API call with a value to encode as JSON (status 200), or an error (an *apiError, or any
// other error, which classify maps as for the pages).
type apiFunc func(r *http.Request, tok db.APIToken) (any, error)

// apiError is a JSON error: {"error": {"code", "message", "request_id"}}. code is stable, for programs; message
// is for the integrator reading it.
type apiError struct {
	status  int
	code    string
	message string
	err     error
}

func (e *apiError) Error() string {
	return fmt.Sprintf("api %d %s: %s: %v", e.status, e.code, e.message, e.err)
}
func (e *apiError) Unwrap() error { return e.err }

func apiErr(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// apiBadRequest is a 400 naming the parameter at fault.
func apiBadRequest(param, message string) *apiError {
	return apiErr(http.StatusBadRequest, "invalid_"+param, message)
}

// asAPIError maps any error to the JSON error the client sees; the error itself is only logged.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	status, msg := classify(err)
	code := map[int]string{http.StatusNotFound: "not_found", http.StatusServiceUnavailable: "unavailable",
		http.StatusBadRequest: "bad_request", http.StatusForbidden: "forbidden"}[status]
	if code == "" {
		code = "internal"
	}
	if status == http.StatusNotFound {
		msg = "No such item."
	}
	return &apiError{status: status, code: code, message: msg, err: err}
}

// serveAPI runs one API route: the bearer token (never a cookie), the token's rate limit, the role's capability,
// then the handler; the answer is encoded before anything is written, and the call is audited, whatever its
// outcome, before it is answered.
func serveAPI(a apiDeps, rt apiRoute) http.Handler {
	fn := rt.fn(a)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, v, err := a.runAPI(w, r, rt, fn)
		status, body := http.StatusOK, []byte(nil)
		if err == nil {
			if body, err = encodeJSON(v); err != nil {
				err = fmt.Errorf("api: encode %s: %w", rt.path, err)
			}
		}
		if err != nil {
			ae := asAPIError(err)
			status = ae.status
			logAPIError(a.Logger, r, ae)
			body, _ = encodeJSON(apiErrorBody(w, ae))
		}
		if tok.ID != 0 { // a call without a known token reads nothing and is not audited (anyone can send one)
			auditAPICall(r, a, tok, status)
		}
		writeJSON(w, status, body)
	})
}

// runAPI is serveAPI's checks and handler; it returns the token it authenticated (zero when none).
func (a apiDeps) runAPI(w http.ResponseWriter, r *http.Request, rt apiRoute, fn apiFunc) (tok db.APIToken, v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("api: panic: %v", p) // JSON 500, not the HTML error page of recoverPanics
		}
	}()
	raw := bearerToken(r)
	if raw == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		return tok, nil, apiErr(http.StatusUnauthorized, "unauthorized",
			"Send an API token as \"Authorization: Bearer <token>\"; cookies are not accepted.")
	}
	tok, err = a.tokens.Authenticate(r.Context(), raw)
	switch {
	case errors.Is(err, apitoken.ErrInvalid):
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
		return db.APIToken{}, nil, apiErr(http.StatusUnauthorized, "unauthorized", "The API token is not valid.")
	case errors.Is(err, apitoken.ErrRevoked): // audited: a revoked token still in use is worth knowing about
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
		return tok, nil, apiErr(http.StatusUnauthorized, "token_revoked", "The API token was revoked.")
	case err != nil:
		return db.APIToken{}, nil, err
	}
	if err := a.tokens.Touch(r.Context(), tok.ID); err != nil {
		a.Logger.WarnContext(r.Context(), "api token last use", slog.Int64("token_id", tok.ID), slog.Any("err", err)) // the call goes on
	}
	ok, wait, err := a.tokens.Allow(r.Context(), tok.ID)
	if err != nil {
		return tok, nil, err
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds()))))
		rate := a.tokens.Rate()
		return tok, nil, apiErr(http.StatusTooManyRequests, "rate_limited", fmt.Sprintf(
			"Too many calls with this token: at most %d at once, then %g a second.", rate.Burst, float64(time.Second)/float64(rate.Every)))
	}
	if !auth.Can(tok.Role, rt.cap) {
		return tok, nil, apiErr(http.StatusForbidden, "forbidden",
			"This token's role ("+string(tok.Role)+") does not allow you to "+string(rt.cap)+".")
	}
	v, err = fn(r, tok)
	return tok, v, err
}

// apiErrorBody is the JSON of ae, with the request's id when the request-id middleware set one.
func apiErrorBody(w http.ResponseWriter, ae *apiError) any {
	type body struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id,omitempty"`
	}
	return map[string]body{"error": {Code: ae.code, Message: ae.message, RequestID: w.Header().Get("X-Request-Id")}}
}

func logAPIError(logger *slog.Logger, r *http.Request, ae *apiError) {
	level := slog.LevelInfo
	if ae.status >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(r.Context(), level, "api request failed", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", ae.status), slog.String("code", ae.code), slog.Any("err", ae.err))
}

// writeAPIError answers ae as JSON (for routes outside serveAPI).
func writeAPIError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, ae *apiError) {
	logAPIError(logger, r, ae)
	body, _ := encodeJSON(apiErrorBody(w, ae))
	writeJSON(w, ae.status, body)
}

// encodeJSON encodes v. Characters HTML gives meaning to (<, >, &) come out as \u003c… escapes: the strings
// read back the same, and a body sniffed or pasted into a page cannot become markup.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// auditAPICall writes the call's audit row: the token as the actor (no user: a token is not a person), the
// route, the query and the status. One row per authenticated call, refusals included.
func auditAPICall(r *http.Request, a apiDeps, tok db.APIToken, status int) {
	outcome := db.OutcomeOK
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests:
		outcome = db.OutcomeDenied
	case status >= 400:
		outcome = db.OutcomeFailed
	}
	target := r.URL.Path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	e := db.AuditEntry{At: nowUTC(), UserEmail: apiActor(tok), Role: string(tok.Role), Action: "api.read",
		TargetType: "api_token", TargetID: strconv.FormatInt(tok.ID, 10), IP: clientIP(r),
		UserAgent: clip.String(r.UserAgent(), 200), Outcome: outcome,
		Detail: clip.String(r.Method+" "+target+" → "+strconv.Itoa(status), 500)}
	if err := a.Store.Audit(r.Context(), e); err != nil {
		a.Logger.ErrorContext(r.Context(), "audit write failed", slog.String("action", e.Action), slog.Any("err", err))
	}
}

// apiActor names a token in the audit log's person column: "api-token:12 Billing export".
func apiActor(tok db.APIToken) string {
	return clip.String("api-token:"+strconv.FormatInt(tok.ID, 10)+" "+tok.Name, 254)
}
