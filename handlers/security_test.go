package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// wantSecurityHeaders checks the headers every answer carries.
func wantSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Error("no Content-Security-Policy")
	}
	for _, tok := range strings.Fields(strings.ReplaceAll(csp, ";", " ")) {
		switch tok {
		case "'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "'unsafe-hashes'":
			t.Errorf("CSP allows %s: %q", tok, csp)
		}
	}
	for _, need := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri"} {
		if !strings.Contains(csp, need) {
			t.Errorf("CSP lacks %q: %q", need, csp)
		}
	}
	if !strings.Contains(csp, "frame-ancestors 'none'") && h.Get("X-Frame-Options") != "DENY" {
		t.Error("the page may be framed (no frame-ancestors 'none', no X-Frame-Options DENY)")
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	switch h.Get("Referrer-Policy") {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("Referrer-Policy %q", h.Get("Referrer-Policy"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ids := mirrorIDs(t, env)
	signedIn := env.signedInClient(t, db.RoleAuditor)
	tests := []struct {
		name    string
		c       *http.Client
		method  string
		path    string
		hdr     http.Header
		status  int
		noStore bool
	}{
		{"login page", env.client(t), "GET", "/login", nil, 200, true},
		{"signed out redirect", env.client(t), "GET", "/properties", nil, 303, false},
		{"home", signedIn, "GET", "/", nil, 200, true},
		{"properties", signedIn, "GET", "/properties", nil, 200, true},
		{"properties fragment", signedIn, "GET", "/properties?q=a", htmx, 200, true},
		{"property", signedIn, "GET", "/properties/" + ids.property, nil, 200, true},
		{"hubs", signedIn, "GET", "/hubs", nil, 200, true},
		{"hub", signedIn, "GET", "/hubs/" + ids.hub, nil, 200, true},
		{"device", signedIn, "GET", "/devices/" + ids.device, nil, 200, true},
		{"account", signedIn, "GET", "/account", nil, 200, true},
		{"sync status", signedIn, "GET", "/sync", nil, 200, true},
		{"forbidden", signedIn, "GET", "/users", nil, 403, true},
		{"missing item", signedIn, "GET", "/hubs/nope", nil, 404, true},
		{"unknown path, signed out", env.client(t), "GET", "/nope", nil, 404, false},
		{"healthz", env.client(t), "GET", "/healthz", nil, 200, true},
		{"static", env.client(t), "GET", "/static/app.css", nil, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hdrs []http.Header
			if tt.hdr != nil {
				hdrs = append(hdrs, tt.hdr)
			}
			var form url.Values
			if tt.method == http.MethodPost {
				form = url.Values{}
			}
			res := env.do(t, tt.c, tt.method, tt.path, form, hdrs...)
			wantStatus(t, res, tt.status)
			wantSecurityHeaders(t, res.header)
			if tt.noStore && res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", res.header.Get("Cache-Control"))
			}
			if res.header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS over plain HTTP")
			}
		})
	}
	t.Run("cross-site post", func(t *testing.T) {
		// CrossOriginProtection answers before securityHeaders runs: a plain-text 403, which must not be sniffed.
		t.Parallel()
		res := env.do(t, signedIn, http.MethodPost, "/logout", url.Values{}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		wantStatus(t, res, http.StatusForbidden)
		if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options %q", got)
		}
		if ct := res.header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q: an HTML page without the page headers", ct)
		}
	})
	t.Run("HSTS over TLS", func(t *testing.T) {
		t.Parallel()
		tlsEnv := newTestEnv(t, withTLS())
		res := tlsEnv.get(t, tlsEnv.client(t), "/login")
		wantSecurityHeaders(t, res.header)
		if got := res.header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
			t.Errorf("HSTS %q", got)
		}
	})
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.client(t)
	res := env.get(t, c, "/healthz")
	wantStatus(t, res, http.StatusOK)
	if first, detail, _ := strings.Cut(res.body, "\n"); first != "ok" || detail != "journal: 0 waiting, oldest 0.0s\n" {
		t.Errorf("body %q, want ok and the journal's lag", res.body)
	}
	env.closeStore()
	res = env.get(t, c, "/healthz")
	wantStatus(t, res, http.StatusServiceUnavailable)
	if strings.Contains(res.body, "dashboard.db") || strings.Contains(res.body, "db:") {
		t.Errorf("healthz shows the error: %q", res.body)
	}
}

func TestNotFoundSignedOut(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, path := range []string{"/nope", "/static/nope.js", "/properties/1/2/3", "/.env", "/wp-login.php"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, env.client(t), path)
			wantStatus(t, res, http.StatusNotFound)
			if !strings.HasPrefix(path, "/static/") {
				if got := text(one(t, res.doc, "error-status")); got != "404" {
					t.Errorf("error-status %q", got)
				}
			}
		})
	}
	res := env.do(t, env.client(t), http.MethodDelete, "/properties", nil)
	if res.status != http.StatusNotFound && res.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /properties: %d", res.status)
	}
}

// TestRecoverPanics: a handler that panics gives a logged 500 page (or flash, for htmx), never a dropped
// connection or the panic's text; http.ErrAbortHandler still aborts.
func TestRecoverPanics(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("secret internal state 0xdead") })
	mux.HandleFunc("/abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	srv := httptest.NewServer(recoverPanics(logger, securityHeaders(false, mux)))
	defer srv.Close()
	env := &testEnv{srv: srv}
	c := env.client(t)

	res := env.get(t, c, "/boom")
	wantStatus(t, res, http.StatusInternalServerError)
	if got := text(one(t, res.doc, "error-status")); got != "500" {
		t.Errorf("error-status %q", got)
	}
	if strings.Contains(res.body, "0xdead") || strings.Contains(res.body, "goroutine") {
		t.Error("the 500 page shows the panic")
	}
	wantSecurityHeaders(t, res.header)

	res = env.get(t, c, "/boom", htmx)
	wantStatus(t, res, http.StatusInternalServerError)
	if res.header.Get("HX-Retarget") != "#flash" {
		t.Error("htmx: the 500 is not retargeted to #flash")
	}
	one(t, res.doc, "flash")

	var panics int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Msg, Path, Level, Stack string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "panic" {
			panics++
			if rec.Path != "/boom" || rec.Level != "ERROR" || !strings.Contains(rec.Stack, "goroutine") {
				t.Errorf("panic log %+v", rec)
			}
		}
	}
	if panics != 2 {
		t.Errorf("%d panics logged, want 2\n%s", panics, logs.String())
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/abort", nil)
	if resp, err := c.Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Errorf("ErrAbortHandler answered %d %q, want an aborted connection", resp.StatusCode, b)
	}
}

// TestAccessLog: one line per request, with the status (CSRF refusals included) and without the query string.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	env.get(t, c, "/properties?q=private-search-term")
	env.do(t, c, http.MethodPost, "/sync", url.Values{}, http.Header{"Origin": {"https://evil.example"}})
	var sawList, sawCSRF bool
	for _, line := range strings.Split(strings.TrimSpace(env.logs.String()), "\n") {
		var rec struct {
			Msg, Method, Path string
			Status            int
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "request" {
			continue
		}
		sawList = sawList || (rec.Path == "/properties" && rec.Status == 200)
		sawCSRF = sawCSRF || (rec.Method == "POST" && rec.Path == "/sync" && rec.Status == 403)
	}
	if !sawList || !sawCSRF {
		t.Errorf("access log: list line %v, CSRF line %v\n%s", sawList, sawCSRF, env.logs.String())
	}
	if strings.Contains(env.logs.String(), "private-search-term") {
		t.Error("the access log holds the query string")
	}
	if strings.Contains(env.logs.String(), env.users[db.RoleStaff].password) {
		t.Error("the log holds a password")
	}
}
