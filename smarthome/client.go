package smarthome

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to the Rently Smart Home API. Build it with NewClient; it is safe for concurrent use.
type Client struct {
	hc        *http.Client
	base      *url.URL // API root, always ending in "/": https://app2.keyless.rocks/api/
	authBase  *url.URL // resident-login root, always ending in "/"
	userAgent string
	retry     retryPolicy
	auth      *tokenSource // nil when no login was configured: requests then carry no Authorization
	onCall    func(Call)   // nil: calls are not reported (WithCallHook)
	onLogin   func(error)  // nil: logins are not reported (WithLoginHook)

	// Seams for tests: the clock used for token expiry and the wait between retries.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	common service

	Agents       *AgentsService
	Properties   *PropertiesService
	Hubs         *HubsService
	Devices      *DevicesService
	LockCodes    *LockCodesService
	Unlocks      *UnlocksService // one-off mls_unlock codes
	Reservations *ReservationsService
	Schedules    *SchedulesService
	Invitations  *InvitationsService
}

// service is embedded (as a named type) by every resource service; they all share one value.
type service struct{ client *Client }

// NewClient returns a Client for the production host unless WithBaseURL says otherwise.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{
		base:      DefaultBaseURL,
		userAgent: DefaultUserAgent,
		retry:     retryPolicy{max: DefaultMaxRetries, base: DefaultBaseDelay, cap: DefaultMaxDelay},
	}
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	base, err := parseRoot(s.base, true)
	if err != nil {
		return nil, err
	}
	authBase, err := parseRoot(cmp.Or(s.auth, s.base), false)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(authBase.Path, "/api/") && s.auth == "" {
		// The base URL was given as ".../api": the resident routes live beside it, not under it.
		authBase.Path = strings.TrimSuffix(authBase.Path, "api/")
	}
	c := &Client{
		hc:        s.hc,
		base:      base,
		authBase:  authBase,
		userAgent: s.userAgent,
		retry:     s.retry,
		onCall:    s.onCall,
		onLogin:   s.onLogin,
		now:       time.Now,
		sleep:     sleepCtx,
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	if s.kind != loginNone {
		c.auth = &tokenSource{c: c, kind: s.kind, user: s.user, password: s.password}
	}
	c.common.client = c
	c.Agents = (*AgentsService)(&c.common)
	c.Properties = (*PropertiesService)(&c.common)
	c.Hubs = (*HubsService)(&c.common)
	c.Devices = (*DevicesService)(&c.common)
	c.LockCodes = (*LockCodesService)(&c.common)
	c.Unlocks = (*UnlocksService)(&c.common)
	c.Reservations = (*ReservationsService)(&c.common)
	c.Schedules = (*SchedulesService)(&c.common)
	c.Invitations = (*InvitationsService)(&c.common)
	return c, nil
}

// Response wraps the *http.Response of a call, plus the paging fields of a list envelope
// ({"total_records", "page", "per_page"}) when the body carried them.
type Response struct {
	*http.Response
	TotalRecords int
	Page         int
	PerPage      int
}

// ListOptions pages and searches the list routes. Zero values are omitted (the server then uses page 1 and its
// default page size).
type ListOptions struct {
	SearchKey string // substring search: names, addresses, hub serial numbers
	Page      int    // 1-based
	PerPage   int    // at most 100 on the simulator
}

func (o *ListOptions) values() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if o.Page < 0 || o.PerPage < 0 {
		return nil, validationError("page and per_page must not be negative")
	}
	setString(q, "search_key", o.SearchKey)
	setInt(q, "page", int64(o.Page))
	setInt(q, "per_page", int64(o.PerPage))
	return q, nil
}

func setString(q url.Values, key, v string) {
	if v != "" {
		q.Set(key, v)
	}
}

func setInt(q url.Values, key string, v int64) {
	if v != 0 {
		q.Set(key, fmt.Sprint(v))
	}
}

// path joins segments into a relative API path, escaping each one, and appends the query. Callers never
// concatenate ids into paths themselves, so an id cannot add segments or a query.
func path(q url.Values, segs ...string) string {
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = url.PathEscape(s)
	}
	p := strings.Join(esc, "/")
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// newRequest builds a request for a path relative to the API root, with body (if non-nil) encoded as JSON on
// any method: move-out is a DELETE with a body. It rejects absolute paths, which would escape "/api/", and
// empty or dot segments, which would silently address another route.
func (c *Client) newRequest(ctx context.Context, method, p string, body any) (*http.Request, error) {
	return c.newRequestAt(ctx, c.base, method, p, body)
}

func (c *Client) newRequestAt(ctx context.Context, root *url.URL, method, p string, body any) (*http.Request, error) {
	rel, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("smarthome: path %q: %w", p, err)
	}
	if rel.IsAbs() || rel.Host != "" || strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("smarthome: path %q must be relative to the API root", p)
	}
	for _, seg := range strings.Split(rel.EscapedPath(), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return nil, fmt.Errorf("%w: empty or dot segment in path %q", ErrValidation, rel.EscapedPath())
		}
	}
	u := root.ResolveReference(rel)
	var buf []byte
	if body != nil {
		if buf, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("smarthome: encoding %s %s body: %w", method, u.Path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("smarthome: %w", err)
	}
	if buf != nil {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		req.Body, _ = req.GetBody()
		req.ContentLength = int64(len(buf))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// get is the common GET-one-thing shape.
func (c *Client) get(ctx context.Context, p string, v any) (*Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, v)
}

// send is the common shape for a method with a JSON body.
func (c *Client) send(ctx context.Context, method, p string, body, v any) (*Response, error) {
	req, err := c.newRequest(ctx, method, p, body)
	if err != nil {
		return nil, err
	}
	return c.do(req, v)
}
