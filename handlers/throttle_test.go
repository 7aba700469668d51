package handlers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
)

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	login := func(t *testing.T, env *testEnv, email, password string) response {
		t.Helper()
		return env.postForm(t, env.client(t), "/login", url.Values{"email": {email}, "password": {password}})
	}
	t.Run("five failures throttle the account from that address, even for the right password", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		env := newTestEnv(t, withNow(clock.Now))
		u := env.users[db.RoleStaff]
		for i := range auth.AccountBurst {
			wantStatus(t, login(t, env, u.Email, "wrong-password-"+string(rune('a'+i))), http.StatusUnauthorized)
		}
		res := login(t, env, u.Email, u.password)
		wantStatus(t, res, http.StatusTooManyRequests)
		if msg := text(one(t, res.doc, "login-error")); !strings.Contains(msg, "Too many failed sign-ins") || !strings.Contains(msg, "seconds") {
			t.Errorf("429 message %q does not say what happened and how long to wait", msg)
		}
		if len(res.header.Values("Set-Cookie")) != 0 {
			t.Error("a throttled attempt set a cookie")
		}
		// Another account from the same address is not affected.
		wantStatus(t, login(t, env, env.users[db.RoleAdmin].Email, env.users[db.RoleAdmin].password), http.StatusSeeOther)
		entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "login", TargetID: u.Email})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 || entries[0].Outcome != db.OutcomeDenied || entries[0].Detail != "throttled" {
			t.Errorf("the throttled attempt is not audited as denied/throttled: %+v", entries)
		}
		// The person from another address is not locked out by the guesser.
		other := env.postForm(t, clientFrom(t, env, "127.0.0.2"), "/login", url.Values{"email": {u.Email}, "password": {u.password}})
		wantStatus(t, other, http.StatusSeeOther)
		clock.Advance(auth.AccountEvery)
		wantStatus(t, login(t, env, u.Email, u.password), http.StatusSeeOther)
	})
	t.Run("guessing from many addresses never locks the owner out of a clean one", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		env := newTestEnv(t, withNow(clock.Now))
		u := env.users[db.RoleAdmin]
		try := func(addr, password string) response {
			return env.postForm(t, clientFrom(t, env, addr), "/login", url.Values{"email": {u.Email}, "password": {password}})
		}
		// 50 guesses, 5 from each of 10 addresses: the account-wide ceiling.
		for i := range auth.AccountWideBurst / auth.AccountBurst {
			for range auth.AccountBurst {
				wantStatus(t, try(fmt.Sprintf("127.0.1.%d", i+1), "wrong-password"), http.StatusUnauthorized)
			}
		}
		// A guessing address is refused for this account, even with the right password…
		wantStatus(t, try("127.0.1.1", u.password), http.StatusTooManyRequests)
		// …and so is an address that failed once and still has attempts of its own, while the ceiling holds.
		wantStatus(t, try("127.0.2.1", "wrong-password"), http.StatusUnauthorized)
		wantStatus(t, try("127.0.2.1", u.password), http.StatusTooManyRequests)
		// The owner, from an address with no failures, signs in at once.
		wantStatus(t, try("127.0.3.1", u.password), http.StatusSeeOther)
	})
	t.Run("twenty failures from one address across accounts", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		env := newTestEnv(t, withNow(clock.Now))
		for i := range auth.IPBurst {
			email := "nobody" + string(rune('a'+i)) + "@test.example"
			wantStatus(t, login(t, env, email, "some-password"), http.StatusUnauthorized)
		}
		u := env.users[db.RoleAdmin]
		res := login(t, env, u.Email, u.password)
		wantStatus(t, res, http.StatusTooManyRequests)
		one(t, res.doc, "login-error")
		clock.Advance(auth.IPEvery)
		wantStatus(t, login(t, env, u.Email, u.password), http.StatusSeeOther)
	})
	t.Run("the right password alone is never throttled", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t, withNow(newFakeClock().Now))
		u := env.users[db.RoleAuditor]
		for range auth.AccountBurst - 1 {
			wantStatus(t, login(t, env, u.Email, "wrong-password"), http.StatusUnauthorized)
		}
		for i := range auth.IPBurst + auth.AccountBurst {
			if res := login(t, env, u.Email, u.password); res.status != http.StatusSeeOther {
				t.Fatalf("successful login %d: status %d", i+1, res.status)
			}
		}
	})
}

// clientFrom is a browser whose connections come from the loopback address addr (Linux routes all of 127/8 to
// lo), so a test can be several clients at once.
func clientFrom(t *testing.T, env *testEnv, addr string) *http.Client {
	t.Helper()
	c := env.client(t)
	tr := c.Transport.(*http.Transport)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 10 * time.Second}
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) { return d.DialContext(ctx, network, a) }
	return c
}
