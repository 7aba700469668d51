package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/keyless/dashboard/db"
)

// jarCookie returns the session cookie c holds for the env's server.
func jarCookie(t *testing.T, env *testEnv, c *http.Client) *http.Cookie {
	t.Helper()
	for _, ck := range c.Jar.Cookies(mustParse(t, env.srv.URL)) {
		if ck.Name == plainCookie {
			return ck
		}
	}
	t.Fatal("the browser holds no session cookie")
	return nil
}

// withCookie is the header of a browser that replays ck.
func withCookie(ck *http.Cookie) http.Header {
	return http.Header{"Cookie": {ck.Name + "=" + ck.Value}}
}

// wantStreamClosed fails unless the server ends the stream within a few seconds.
func wantStreamClosed(t *testing.T, resp *http.Response) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, resp.Body)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		resp.Body.Close()
		<-done
		t.Error("the live stream stayed open")
	}
}

func openStream(t *testing.T, env *testEnv, c *http.Client) *http.Response {
	t.Helper()
	resp := env.stream(t, c, "/events")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events: %d", resp.StatusCode)
	}
	return resp
}

func TestLogout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	old := jarCookie(t, env, c)
	stream := openStream(t, env, c)

	res := env.postForm(t, c, "/logout", url.Values{})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/login" {
		t.Errorf("Location %q, want /login", got)
	}
	if ck := cookie(res, plainCookie); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %+v", ck)
	}
	wantStreamClosed(t, stream)
	for _, path := range []string{"/", "/properties", "/account"} {
		wantSignedOut(t, env.get(t, env.client(t), path, withCookie(old)))
	}
	entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "logout"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].UserEmail != env.users[db.RoleStaff].Email {
		t.Errorf("logout audit: %+v", entries)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	u := env.users[db.RoleStaff]
	changer, other := env.signedInClient(t, db.RoleStaff), env.signedInClient(t, db.RoleStaff)
	otherStream := openStream(t, env, other)
	const newPW = "a-brand-new-password"

	res := env.postForm(t, changer, "/account/password", url.Values{"current_password": {u.password},
		"new_password": {newPW}, "confirm_password": {newPW}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/account?flash=password-changed" {
		t.Errorf("Location %q", got)
	}
	page := env.get(t, changer, res.location())
	wantStatus(t, page, http.StatusOK)
	if f := one(t, page.doc, "flash"); !strings.Contains(text(f), "password was changed") {
		t.Errorf("flash %q", text(f))
	}
	wantSignedOut(t, env.get(t, other, "/"))
	wantStreamClosed(t, otherStream)

	bad := env.postForm(t, env.client(t), "/login", url.Values{"email": {u.Email}, "password": {u.password}})
	wantStatus(t, bad, http.StatusUnauthorized)
	env.loginAs(t, env.client(t), u.Email, newPW)
}

func TestDisabledUserSignedOutAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	victim := env.users[db.RoleInstaller]
	c := env.signedInClient(t, db.RoleInstaller)
	wantStatus(t, env.get(t, c, "/"), http.StatusOK)
	stream := openStream(t, env, c)

	admin := env.signedInClient(t, db.RoleAdmin)
	res := env.postForm(t, admin, "/users/"+strconv.FormatInt(victim.ID, 10),
		url.Values{"name": {victim.Name}, "role": {string(victim.Role)}, "disabled": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)

	wantSignedOut(t, env.get(t, c, "/"))
	wantStreamClosed(t, stream)
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	const idle, absolute = 30 * time.Minute, 12 * time.Hour
	tests := []struct {
		name  string
		steps []time.Duration // clock advances, each followed by a GET /
		last  int             // the status of the final GET
	}{
		{"active within the idle limit", []time.Duration{29 * time.Minute, 29 * time.Minute, 29 * time.Minute}, http.StatusOK},
		{"idle past the limit", []time.Duration{10 * time.Minute, idle + time.Second}, http.StatusSeeOther},
		{"active until just before the absolute limit", repeat(25*time.Minute, 28), http.StatusOK}, // 11h40m
		{"active past the absolute limit", append(repeat(25*time.Minute, 28), 20*time.Minute), http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			env := newTestEnv(t, withNow(clock.Now), withTimeouts(idle, absolute))
			c := env.signedInClient(t, db.RoleStaff)
			var res response
			for i, d := range tt.steps {
				clock.Advance(d)
				res = env.get(t, c, "/")
				if i < len(tt.steps)-1 && res.status != http.StatusOK {
					t.Fatalf("step %d (+%v): status %d, want 200", i, d, res.status)
				}
			}
			wantStatus(t, res, tt.last)
			if tt.last == http.StatusSeeOther {
				wantSignedOut(t, res)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestForgedCookies: whatever the cookie holds, a bad one means signed out (303), never an error page.
func TestForgedCookies(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	other, err := NewSessions(env.sessions.logger, env.store, SessionOptions{Secret: strings.Repeat("x", 40)})
	if err != nil {
		t.Fatal(err)
	}
	real := jarCookie(t, env, env.signedInClient(t, db.RoleAdmin))
	tests := []struct {
		name  string
		value string
	}{
		{"garbage", "garbage"},
		{"empty", ""},
		{"huge", strings.Repeat("A", 3000)},
		{"real cookie, one byte changed", flipLast(real.Value)},
		{"real cookie, truncated", real.Value[:len(real.Value)/2]},
		{"signed with another secret", forgeCookie(t, other, "token-from-another-server")},
		{"our keys, unknown session", forgeCookie(t, env.sessions, "never-issued-token")},
		{"our keys, empty token", forgeCookie(t, env.sessions, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hdr := http.Header{"Cookie": {plainCookie + "=" + tt.value}}
			wantSignedOut(t, env.get(t, env.client(t), "/properties", hdr))
			res := env.get(t, env.client(t), "/properties", hdr, htmx)
			wantStatus(t, res, http.StatusNoContent)
			if res.header.Get("HX-Redirect") == "" {
				t.Error("htmx: no HX-Redirect")
			}
			wantStatus(t, env.get(t, env.client(t), "/login", hdr), http.StatusOK)
		})
	}
}

func flipLast(s string) string {
	b := []byte(s)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}

// forgeCookie encodes token as s would in a session cookie.
func forgeCookie(t *testing.T, s *Sessions, token string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	sess := sessions.NewSession(s.plain, plainCookie)
	sess.Options = s.plain.Options
	sess.Values[tokenKey] = token
	if err := sess.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec); err != nil {
		t.Fatal(err)
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == plainCookie {
			return ck.Value
		}
	}
	t.Fatal("no cookie encoded")
	return ""
}

// TestCookieCache: a verified cookie's token is remembered for a minute, byte for byte; anything else is not.
func TestCookieCache(t *testing.T) {
	t.Parallel()
	var c cookieCache
	now := time.Now()
	c.put("cookie-a", "token-a", now)
	if tok, ok := c.get("cookie-a", now.Add(59*time.Second)); !ok || tok != "token-a" {
		t.Errorf("get within the minute = %q, %v", tok, ok)
	}
	if _, ok := c.get("cookie-a", now.Add(cookieTokenTTL)); ok {
		t.Error("a remembered cookie outlives its minute")
	}
	if _, ok := c.get("cookie-a ", now); ok {
		t.Error("a cookie that differs by one byte is taken as remembered")
	}
	for i := range cookieCacheMax + 1 {
		c.put(fmt.Sprint("c", i), "t", now)
	}
	if n := len(c.entries); n > cookieCacheMax {
		t.Errorf("%d entries, want at most %d", n, cookieCacheMax)
	}
}
