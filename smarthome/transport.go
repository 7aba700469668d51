package smarthome

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	// maxBody bounds a successful reply; the largest real one is a hub list page.
	maxBody = 32 << 20
	// maxRetryAfter is the longest Retry-After the client waits for by itself; beyond it the error is returned
	// (with RetryAfter set) so the caller can decide.
	maxRetryAfter = time.Minute
)

// retryPolicy shapes the retries of do.
type retryPolicy struct {
	max  int
	base time.Duration
	cap  time.Duration
}

// backoff returns the wait before retry n (0-based): base·2ⁿ capped, then "equal jitter" (half fixed, half
// random) so that clients that failed together do not retry together.
func (p retryPolicy) backoff(n int) time.Duration {
	d := p.cap
	if n < 30 && p.base<<n < p.cap {
		d = p.base << n
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// idempotent methods may be retried after a 5xx or a transport error: the request may have been applied.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead:
		return true
	}
	return false
}

// do sends req (authenticated when a login is configured), retrying as the policy allows, and decodes a 2xx body
// into v (when v is non-nil). A non-2xx reply, or a 2xx reply saying "success": false, is an *ErrorResponse.
func (c *Client) do(req *http.Request, v any) (*Response, error) {
	resp, body, err := c.roundTrip(req, c.auth != nil)
	if err != nil {
		return resp, c.scrubSecrets(err)
	}
	if v != nil && len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			return resp, fmt.Errorf("smarthome: %s %s: decoding reply: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp, nil
}

// scrubSecrets masks the password and the current token in an error's text.
func (c *Client) scrubSecrets(err error) error {
	if c.auth == nil {
		return err
	}
	return scrub(err, c.auth.secrets()...)
}

// roundTrip runs the attempts: it re-logs in once on a 401 (when authed) and retries 429, and 5xx or transport
// errors for idempotent methods, waiting between attempts within ctx. It returns the final 2xx body.
func (c *Client) roundTrip(req *http.Request, authed bool) (resp *Response, body []byte, err error) {
	if c.onCall != nil {
		start := time.Now()
		defer func() { c.reportCall(req, resp, err, start) }()
	}
	ctx := req.Context()
	reauthed := false
	var last error // the previous attempt's error, reported with a context error that ends the retries
	for retries := 0; ; {
		var tok *Token
		if authed {
			var err error
			if tok, err = c.auth.token(ctx); err != nil {
				return nil, nil, err
			}
		}
		resp, body, err := c.attempt(req, tok)
		if err != nil && resp == nil { // transport error
			if last != nil && ctx.Err() != nil {
				return nil, nil, fmt.Errorf("%w (last error: %w)", err, last)
			}
			if ctx.Err() != nil || !idempotent(req.Method) || retries >= c.retry.max {
				return nil, nil, err
			}
			last = err
			if werr := c.wait(ctx, c.retry.backoff(retries)); werr != nil {
				return nil, nil, fmt.Errorf("smarthome: giving up: %w (last error: %w)", werr, err)
			}
			retries++
			continue
		}
		if err == nil {
			return resp, body, nil
		}
		var er *ErrorResponse
		if !errors.As(err, &er) {
			return resp, nil, err
		}
		if er.StatusCode == http.StatusUnauthorized && authed && !reauthed {
			c.auth.invalidate(tok)
			reauthed = true
			continue
		}
		if !retryable(er.StatusCode, req.Method) || retries >= c.retry.max || er.RetryAfter > maxRetryAfter {
			return resp, nil, err
		}
		delay := c.retry.backoff(retries)
		if er.RetryAfter > 0 {
			delay = er.RetryAfter
		}
		if werr := c.wait(ctx, delay); werr != nil {
			return resp, nil, fmt.Errorf("smarthome: giving up: %w (last error: %w)", werr, err)
		}
		last = err
		retries++
	}
}

func retryable(status int, method string) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status <= 599 && idempotent(method))
}

// attempt sends one copy of req. A nil *Response with an error is a transport failure.
func (c *Client) attempt(req *http.Request, tok *Token) (*Response, []byte, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, nil, fmt.Errorf("smarthome: %w", err)
		}
		r.Body = body
	}
	if tok != nil {
		r.Header.Set("Authorization", tok.header())
	}
	if id := RequestID(r.Context()); ValidRequestID(id) {
		r.Header.Set("X-Request-Id", id)
	}
	hr, err := c.hc.Do(r)
	if err != nil {
		// *url.Error would print the whole URL, query included; the path is enough to say what failed.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, fmt.Errorf("smarthome: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer func() {
		hr.Body.Close()
		// The exchange is over: drop the token from the request that callers reach through Response.Request,
		// so dumping or logging it cannot leak the credential.
		r.Header.Del("Authorization")
	}()
	resp := &Response{Response: hr}
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(hr.Body, maxErrorBody))
		return resp, nil, newErrorResponse(hr, body)
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
	if err != nil {
		return resp, nil, fmt.Errorf("smarthome: %s %s: reading reply: %w", req.Method, req.URL.Path, err)
	}
	if len(body) > maxBody {
		return resp, nil, fmt.Errorf("smarthome: %s %s: reply larger than %d bytes", req.Method, req.URL.Path, maxBody)
	}
	if err := readEnvelope(resp, body); err != nil {
		return resp, nil, err
	}
	return resp, body, nil
}

// readEnvelope copies paging fields into resp and turns {"success": false} into an *ErrorResponse.
func readEnvelope(resp *Response, body []byte) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	var env struct {
		Success      *bool    `json:"success"`
		TotalRecords *FlexInt `json:"total_records"`
		Page         *FlexInt `json:"page"`
		PerPage      *FlexInt `json:"per_page"`
	}
	if json.Unmarshal(trimmed, &env) != nil {
		return nil // a malformed body is reported by the caller's decode
	}
	if env.TotalRecords != nil {
		resp.TotalRecords = env.TotalRecords.Int()
	}
	if env.Page != nil {
		resp.Page = env.Page.Int()
	}
	if env.PerPage != nil {
		resp.PerPage = env.PerPage.Int()
	}
	if env.Success != nil && !*env.Success {
		return newErrorResponse(resp.Response, body)
	}
	return nil
}

// wait sleeps d unless ctx ends first; when ctx's deadline is nearer than d it gives up at once, since the retry
// could not be sent in time anyway.
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	return c.sleep(ctx, d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date. Absent, malformed or past → 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
