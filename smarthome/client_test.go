package smarthome

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test credentials and the token the fake login hands out.
const (
	testUser     = "agent@example.com"
	testPassword = "s3cret-Passw0rd"
	testToken    = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// fixture is a test server with the API mux mounted under /api/ (so a request built from an absolute path
// misses it and fails the test) and a client logged in as an agent against it.
type fixture struct {
	client *Client
	mux    *http.ServeMux // API routes: register patterns such as "GET /api/hubs/{id}"
	root   *http.ServeMux // routes outside /api/ (the resident auth host)
	url    string
	logins atomic.Int32 // POST /api/agents calls
	login  atomic.Pointer[http.HandlerFunc]
	clock  *fakeClock
}

// setLogin replaces the fake agent login; calls are still counted in logins.
func (f *fixture) setLogin(h http.HandlerFunc) { f.login.Store(&h) }

// setup starts the server and a client with fast retries and a controllable clock. opts are appended to the
// defaults, so a test can replace the login or the retry policy.
func setup(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	return newFixture(t, WithAgentLogin(testUser, testPassword), opts)
}

// setupResident is setup with a resident login; the resident routes live on f.root.
func setupResident(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	return newFixture(t, WithResidentLogin("resident@example.com", "pw-resident"), opts)
}

func newFixture(t *testing.T, login Option, opts []Option) *fixture {
	t.Helper()
	f := &fixture{mux: http.NewServeMux(), root: http.NewServeMux(), clock: newFakeClock()}
	f.root.Handle("/api/", f.mux)
	f.root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the API root: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside the API root", http.StatusTeapot)
	})
	f.mux.HandleFunc("POST /api/agents", func(w http.ResponseWriter, r *http.Request) {
		f.logins.Add(1)
		if h := f.login.Load(); h != nil {
			(*h)(w, r)
			return
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token": %q, "token_type": "Bearer", "expires_in": 7200, "created_at": 1}`, testToken))
	})
	srv := httptest.NewServer(f.root)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	base := []Option{
		WithBaseURL(srv.URL), login,
		WithRetry(3, time.Millisecond, 4*time.Millisecond), WithHTTPClient(srv.Client()),
	}
	var err error
	if f.client, err = NewClient(append(base, opts...)...); err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	f.client.now = f.clock.Now
	return f
}

// fakeClock is a settable clock for token expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// checkRequest asserts the headers every API request carries and, when wantBody is not "", its JSON body.
func checkRequest(t *testing.T, r *http.Request, wantQuery url.Values, wantBody string) {
	t.Helper()
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q, want the bearer token", got)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
	if got := r.Header.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("User-Agent = %q", got)
	}
	if wantQuery == nil {
		wantQuery = url.Values{}
	}
	if got := r.URL.Query(); !reflect.DeepEqual(got, wantQuery) {
		t.Errorf("query = %v, want %v", got, wantQuery)
	}
	body, _ := io.ReadAll(r.Body)
	if wantBody == "" {
		if len(body) != 0 {
			t.Errorf("unexpected body %s", body)
		}
		return
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	assertJSON(t, body, wantBody)
}

// assertJSON compares two JSON documents by value.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
}

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		wantBase string
		wantAuth string
		wantErr  bool
	}{
		{"defaults", nil, "https://app2.keyless.rocks/api/", "https://app2.keyless.rocks/", false},
		{"root with slash", []Option{WithBaseURL("http://127.0.0.1:8080/")}, "http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/", false},
		{"root already /api", []Option{WithBaseURL("http://h/api")}, "http://h/api/", "http://h/", false},
		{"prefix path", []Option{WithBaseURL("http://h/sim")}, "http://h/sim/api/", "http://h/sim/", false},
		{"auth host", []Option{WithAuthURL("https://remotapp.rently.com")}, "https://app2.keyless.rocks/api/", "https://remotapp.rently.com/", false},
		{"no scheme", []Option{WithBaseURL("app2.keyless.rocks")}, "", "", true},
		{"ftp", []Option{WithBaseURL("ftp://h")}, "", "", true},
		{"query", []Option{WithBaseURL("http://h/?x=1")}, "", "", true},
		{"two logins", []Option{WithAgentLogin("a", "b"), WithResidentLogin("c", "d")}, "", "", true},
		{"empty password", []Option{WithAgentLogin("a", "")}, "", "", true},
		{"nil http client", []Option{WithHTTPClient(nil)}, "", "", true},
		{"bad retry", []Option{WithRetry(-1, time.Second, time.Second)}, "", "", true},
		{"cap below base", []Option{WithRetry(1, time.Second, time.Millisecond)}, "", "", true},
		{"agent header injection", []Option{WithUserAgent("x\r\nEvil: 1")}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.opts...)
			if tt.wantErr {
				if err == nil {
					t.Fatal("NewClient succeeded, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if got := c.base.String(); got != tt.wantBase {
				t.Errorf("base = %q, want %q", got, tt.wantBase)
			}
			if got := c.authBase.String(); got != tt.wantAuth {
				t.Errorf("auth base = %q, want %q", got, tt.wantAuth)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if c.retry != (retryPolicy{max: 3, base: 500 * time.Millisecond, cap: 10 * time.Second}) {
		t.Errorf("retry = %+v", c.retry)
	}
	if c.hc.Timeout != DefaultTimeout || c.userAgent != DefaultUserAgent || c.auth != nil {
		t.Errorf("defaults: timeout %v, agent %q, auth %v", c.hc.Timeout, c.userAgent, c.auth)
	}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithBaseURL("http://h"), WithUserAgent("ua/1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		wantURL string
		wantErr bool
	}{
		{"escaped segments", http.MethodGet, path(nil, "devices", "a/b?c#d"), nil, "http://h/api/devices/a%2Fb%3Fc%23d", false},
		{"query", http.MethodGet, path(url.Values{"search_key": {"a b&c"}}, "hubs"), nil, "http://h/api/hubs?search_key=a+b%26c", false},
		{"delete with body", http.MethodDelete, path(nil, "properties", "1", "remove_invitations"), map[string]string{"email": "all"}, "http://h/api/properties/1/remove_invitations", false},
		{"absolute path", http.MethodGet, "/hubs", nil, "", true},
		{"absolute URL", http.MethodGet, "http://evil/api/hubs", nil, "", true},
		{"scheme-relative", http.MethodGet, "//evil/hubs", nil, "", true},
		{"empty id", http.MethodGet, path(nil, "hubs", ""), nil, "", true},
		{"dot dot id", http.MethodGet, path(nil, "hubs", ".."), nil, "", true},
		{"unencodable body", http.MethodPost, "hubs", func() {}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := c.newRequest(t.Context(), tt.method, tt.path, tt.body)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("newRequest(%q) succeeded, want an error", tt.path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := req.URL.String(); got != tt.wantURL {
				t.Errorf("URL = %q, want %q", got, tt.wantURL)
			}
			if req.Header.Get("User-Agent") != "ua/1" || req.Header.Get("Accept") != "application/json" {
				t.Errorf("headers = %v", req.Header)
			}
			if tt.body == nil {
				if req.Body != nil || req.Header.Get("Content-Type") != "" {
					t.Error("a request without body has a body or a Content-Type")
				}
				return
			}
			got, _ := io.ReadAll(req.Body)
			if !bytes.Equal(got, []byte(`{"email":"all"}`)) || req.Header.Get("Content-Type") != "application/json" {
				t.Errorf("body %s, Content-Type %q", got, req.Header.Get("Content-Type"))
			}
		})
	}
}

func TestNoLoginSendsNoAuthorization(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "" {
			t.Errorf("Authorization = %q, want none", got)
		}
		writeJSON(w, http.StatusUnauthorized, `{"success": false, "message": "no token"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Hubs.Get(t.Context(), "h1")
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
}
