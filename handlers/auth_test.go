package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

const msgBadLogin = "That email and password do not match an active account."

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	disabled := env.createUser(t, "gone@test.example", "Gone", db.RoleStaff)
	if err := env.store.UpdateUser(t.Context(), disabled.ID, disabled.Name, disabled.Role, true); err != nil {
		t.Fatal(err)
	}
	admin := env.users[db.RoleAdmin]
	tests := []struct {
		name, email, password string
		status                int
		msg                   string
	}{
		{"wrong password", admin.Email, "not-the-password", http.StatusUnauthorized, msgBadLogin},
		{"unknown email", "nobody@test.example", "whatever-password", http.StatusUnauthorized, msgBadLogin},
		{"disabled user, right password", disabled.Email, disabled.password, http.StatusUnauthorized, msgBadLogin},
		{"empty password", admin.Email, "", http.StatusUnprocessableEntity, "Enter your email address and password."},
		{"empty email", "", admin.password, http.StatusUnprocessableEntity, "Enter your email address and password."},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				res := env.postForm(t, env.client(t), "/login", url.Values{"email": {tt.email}, "password": {tt.password}})
				wantStatus(t, res, tt.status)
				if got := text(one(t, res.doc, "login-error")); got != tt.msg {
					t.Errorf("login-error %q, want %q", got, tt.msg)
				}
				if c := res.header.Values("Set-Cookie"); len(c) != 0 {
					t.Errorf("a failed login set cookies: %q", c)
				}
				if got := res.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", got)
				}
				if tt.email != "" {
					if got := one(t, res.doc, "login-email").AttrOr("value", ""); got != tt.email {
						t.Errorf("email echoed as %q, want %q", got, tt.email)
					}
				}
				if tt.password != "" && strings.Contains(res.body, tt.password) {
					t.Error("the page echoes the password")
				}
			})
		}
	})
	t.Run("nothing logged or audited with the password", func(t *testing.T) {
		entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "login"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Outcome == db.OutcomeOK {
				t.Errorf("audit has a successful login: %+v", e)
			}
		}
		if strings.Contains(env.logs.String(), "not-the-password") || strings.Contains(env.logs.String(), disabled.password) {
			t.Error("the log contains a password")
		}
	})
}

// TestLoginNext: after signing in, next leads back to a local page only; anything that a browser would read as
// another host lands on /.
func TestLoginNext(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct{ name, next, want string }{
		{"empty", "", "/"},
		{"local path with query", "/properties?q=oak&sort=city", "/properties?q=oak&sort=city"},
		{"protocol-relative", "//evil.com", "/"},
		{"protocol-relative with path", "//evil.com/properties", "/"},
		{"absolute URL", "https://evil.com", "/"},
		{"backslash", `/\evil.com`, "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"relative", "evil.com", "/"},
		{"CRLF", "/\r\nSet-Cookie: x=1", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := env.client(t)
			form := env.get(t, c, "/login?next="+url.QueryEscape(tt.next))
			wantStatus(t, form, http.StatusOK)
			hidden := form.doc.Find(`[data-testid="login-form"] input[name="next"]`).AttrOr("value", "?")
			if hidden != tt.want {
				t.Errorf("form carries next=%q, want %q", hidden, tt.want)
			}
			u := env.users[db.RoleStaff]
			res := env.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {u.password}, "next": {tt.next}})
			wantStatus(t, res, http.StatusSeeOther)
			if got := res.location(); got != tt.want {
				t.Errorf("Location %q, want %q", got, tt.want)
			}
			if got := browserResolve(t, env.srv.URL, res.location()); got.Host != mustParse(t, env.srv.URL).Host {
				t.Errorf("a browser would follow Location %q to host %q", res.location(), got.Host)
			}
			// Signed in, the login form itself redirects to next: the same rules apply.
			again := env.get(t, c, "/login?next="+url.QueryEscape(tt.next))
			wantStatus(t, again, http.StatusSeeOther)
			if got := again.location(); got != tt.want {
				t.Errorf("signed-in GET /login: Location %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLoginNextTab: browsers delete tabs from URLs (WHATWG URL parsing), so "/<TAB>/evil.com" is "//evil.com".
func TestLoginNextTab(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	u := env.users[db.RoleStaff]
	form := url.Values{"email": {u.Email}, "password": {u.password}, "next": {"/\t/evil.com"}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.srv.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The transport, not a Client: Go's Client refuses to parse this Location at all, browsers do not.
	resp, err := env.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	if got := browserResolve(t, env.srv.URL, loc); got.Host != mustParse(t, env.srv.URL).Host {
		t.Errorf("Location %q: a browser goes to host %q", loc, got.Host)
	}
}

// browserResolve resolves a Location header as a browser's URL parser would: tabs and newlines removed, leading and
// trailing spaces and controls trimmed, backslashes read as slashes (http and https are "special" schemes).
func browserResolve(t *testing.T, base, loc string) *url.URL {
	t.Helper()
	loc = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.ReplaceAll(loc, `\`, "/")
	u, err := mustParse(t, base).Parse(loc)
	if err != nil {
		t.Fatalf("resolve %q: %v", loc, err)
	}
	return u
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginCookie(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tls        bool
		cookie     string
		wantSecure bool
	}{
		{"plain HTTP", false, "sid", false},
		{"TLS", true, "__Host-sid", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []envOption
			if tt.tls {
				opts = append(opts, withTLS())
			}
			env := newTestEnv(t, opts...)
			c := env.client(t)
			u := env.users[db.RoleAdmin]
			res := env.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {u.password}})
			wantStatus(t, res, http.StatusSeeOther)
			ck := cookie(res, tt.cookie)
			if ck == nil {
				t.Fatalf("no %s cookie in %q", tt.cookie, res.header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tt.wantSecure {
				t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Path=%q Domain=%q Secure=%v; want HttpOnly, Lax, /, no domain, Secure=%v",
					ck.Name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain, ck.Secure, tt.wantSecure)
			}
			if ck.MaxAge <= 0 || ck.MaxAge > int((12*time.Hour)/time.Second) {
				t.Errorf("cookie MaxAge %d, want 1..12h", ck.MaxAge)
			}
			if strings.Contains(ck.Value, u.password) {
				t.Error("the cookie carries the password")
			}
			wantStatus(t, env.get(t, c, "/"), http.StatusOK)

			first := sessionToken(t, env, ck)
			res = env.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {u.password}})
			wantStatus(t, res, http.StatusSeeOther)
			second := sessionToken(t, env, cookie(res, tt.cookie))
			if first == "" || first == second {
				t.Errorf("signing in again kept the session token (fixation)")
			}
		})
	}
}

// sessionToken decodes the random token a session cookie carries, as the server reads it.
func sessionToken(t *testing.T, env *testEnv, ck *http.Cookie) string {
	t.Helper()
	if ck == nil {
		t.Fatal("no session cookie")
	}
	r, _ := http.NewRequest(http.MethodGet, env.srv.URL, nil)
	r.AddCookie(ck)
	cs, name := env.sessions.cookieStore(r)
	if ck.Name == secureCookie {
		cs, name = env.sessions.secure, secureCookie
	}
	sess, err := cs.Get(r, name)
	if err != nil {
		t.Fatalf("decode cookie: %v", err)
	}
	tok, _ := sess.Values[tokenKey].(string)
	return tok
}
