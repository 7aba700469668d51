package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// response is one answer, read and parsed.
type response struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

// location is the Location header.
func (r response) location() string { return r.header.Get("Location") }

// htmx marks a request as htmx's targeted swap.
var htmx = http.Header{"Hx-Request": {"true"}}

// sameOrigin is what a browser sends with a form POST from one of our own pages.
func (e *testEnv) sameOrigin() http.Header {
	return http.Header{"Origin": {e.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
}

// get sends GET path with the extra headers.
func (e *testEnv) get(t *testing.T, c *http.Client, path string, hdrs ...http.Header) response {
	t.Helper()
	return e.do(t, c, http.MethodGet, path, nil, hdrs...)
}

// postForm sends a same-origin form POST (plus the extra headers, which win).
func (e *testEnv) postForm(t *testing.T, c *http.Client, path string, form url.Values, hdrs ...http.Header) response {
	t.Helper()
	return e.do(t, c, http.MethodPost, path, form, append([]http.Header{e.sameOrigin()}, hdrs...)...)
}

func (e *testEnv) do(t *testing.T, c *http.Client, method, path string, form url.Values, hdrs ...http.Header) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, h := range hdrs {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), doc: parseHTML(t, string(b))}
}

// stream opens a streaming GET (the live events) and returns once the headers arrived; the body stays open until
// the test ends or the caller closes it.
func (e *testEnv) stream(t *testing.T, c *http.Client, path string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return resp
}

// parseHTML parses a page or a fragment. goquery wraps fragments in <html><body>: select by data-testid only.
func parseHTML(t *testing.T, s string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// parseRow parses a <tr> fragment inside a table, as htmx does before swapping it (alone, the parser drops it).
func parseRow(t *testing.T, s string) *goquery.Document {
	t.Helper()
	return parseHTML(t, "<table><tbody>"+s+"</tbody></table>")
}

// byTestID selects every element with data-testid=id.
func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// one selects exactly one element with data-testid=id or fails.
func one(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	s := byTestID(doc, id)
	if s.Length() != 1 {
		t.Fatalf("[data-testid=%q]: %d elements, want 1", id, s.Length())
	}
	return s
}

// text is the selection's text with whitespace collapsed.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// wantStatus fails unless r has the status; the body helps when it does not.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d\n%.2000s", r.status, want, r.body)
	}
}

// wantSignedOut fails unless r sends a browser to the login page.
func wantSignedOut(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Fatalf("got %d Location %q, want 303 to /login\n%.500s", r.status, r.location(), r.body)
	}
}

// cookie returns the named cookie the server set in r, or nil.
func cookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// countingTransport counts the API requests the smarthome client sends (logins excluded).
type countingTransport struct {
	base *http.Transport
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/agents" {
		c.n.Add(1)
	}
	return c.base.RoundTrip(r)
}

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
