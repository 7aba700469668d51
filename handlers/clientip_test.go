package handlers

import (
	"net/http"
	"net/netip"
	"net/url"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
)

func TestForwardedClient(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"),
		netip.MustParsePrefix("192.0.2.1/32")}
	cases := []struct {
		name    string
		peer    string
		header  []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies configured: the header is ignored", "10.1.1.1", []string{"203.0.113.5"}, nil, "10.1.1.1"},
		{"untrusted peer: a spoofed header is ignored", "198.51.100.7", []string{"203.0.113.5"}, proxies, "198.51.100.7"},
		{"trusted peer, no header: the peer", "10.1.1.1", nil, proxies, "10.1.1.1"},
		{"trusted peer: the hop it saw", "10.1.1.1", []string{"203.0.113.5"}, proxies, "203.0.113.5"},
		{"client-written entries left of the real hop are ignored", "10.1.1.1", []string{"1.2.3.4, 203.0.113.5"}, proxies, "203.0.113.5"},
		{"trusted hops are skipped right to left", "10.1.1.1", []string{"203.0.113.5, 10.2.2.2, 192.0.2.1"}, proxies, "203.0.113.5"},
		{"several header lines are one list", "10.1.1.1", []string{"1.2.3.4, 203.0.113.5", "10.2.2.2"}, proxies, "203.0.113.5"},
		{"every hop trusted: the leftmost", "10.1.1.1", []string{"10.3.3.3, 10.2.2.2"}, proxies, "10.3.3.3"},
		{"malformed last hop: the proxy that passed it", "10.1.1.1", []string{"203.0.113.5, garbage"}, proxies, "10.1.1.1"},
		{"malformed hop after a trusted one: that trusted hop", "10.1.1.1", []string{"nonsense, 10.2.2.2"}, proxies, "10.2.2.2"},
		{"malformed hop left of the client: the client", "10.1.1.1", []string{"<script>, 203.0.113.5"}, proxies, "203.0.113.5"},
		{"empty entries are malformed", "10.1.1.1", []string{", "}, proxies, "10.1.1.1"},
		{"IPv6 hop", "fd00::1", []string{"2001:db8::5"}, proxies, "2001:db8::5"},
		{"bracketed IPv6 with a port", "fd00::1", []string{"[2001:db8::5]:4711"}, proxies, "2001:db8::5"},
		{"IPv4 with a port", "10.1.1.1", []string{"203.0.113.5:4711"}, proxies, "203.0.113.5"},
		{"IPv4-mapped peer matches an IPv4 range", "::ffff:10.1.1.1", []string{"203.0.113.5"}, proxies, "203.0.113.5"},
		{"IPv4-mapped hop is reported as IPv4", "10.1.1.1", []string{"::ffff:203.0.113.5"}, proxies, "203.0.113.5"},
		{"a zone is not an address", "10.1.1.1", []string{"fe80::1%eth0"}, proxies, "10.1.1.1"},
		{"/32 trusts that address only", "192.0.2.2", []string{"203.0.113.5"}, proxies, "192.0.2.2"},
		{"unparsable peer is never trusted", "@", []string{"203.0.113.5"}, proxies, "@"},
	}
	for _, tc := range cases {
		if got := forwardedClient(tc.peer, tc.header, tc.trusted); got != tc.want {
			t.Errorf("%s: forwardedClient(%q, %q) = %q, want %q", tc.name, tc.peer, tc.header, got, tc.want)
		}
	}
}

// TestLoginThrottleBehindProxy: the login throttle and the audit log key on the X-Forwarded-For client only when
// the TCP peer is a trusted proxy (127.0.0.2 here); from any other peer the header is the client's own claim.
func TestLoginThrottleBehindProxy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withNow(newFakeClock().Now), withTrustedProxies(netip.MustParsePrefix("127.0.0.2/32")))
	u := env.users[db.RoleStaff]
	proxy, direct := clientFrom(t, env, "127.0.0.2"), clientFrom(t, env, "127.0.0.1")
	login := func(c *http.Client, xff, password string) response {
		return env.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {password}},
			http.Header{"X-Forwarded-For": {xff}})
	}
	for range auth.AccountBurst {
		wantStatus(t, login(proxy, "203.0.113.7", "wrong-password"), http.StatusUnauthorized)
	}
	wantStatus(t, login(proxy, "203.0.113.7", u.password), http.StatusTooManyRequests)
	// Another client behind the same proxy is not the guesser: the proxy's own address is not what was throttled.
	wantStatus(t, login(proxy, "203.0.113.8", u.password), http.StatusSeeOther)
	// A direct peer claiming to be the throttled client is judged by its own address, so it is not throttled…
	wantStatus(t, login(direct, "203.0.113.7", u.password), http.StatusSeeOther)
	// …and its failures count against that address, not the one it claims.
	for range auth.AccountBurst {
		wantStatus(t, login(direct, "203.0.113.9", "wrong-password"), http.StatusUnauthorized)
	}
	wantStatus(t, login(direct, "203.0.113.10", u.password), http.StatusTooManyRequests)
	wantStatus(t, login(proxy, "203.0.113.9", u.password), http.StatusSeeOther)

	entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "login", TargetID: u.Email})
	if err != nil {
		t.Fatal(err)
	}
	byIP := map[string]int{}
	for _, e := range entries {
		if e.Outcome == db.OutcomeDenied {
			byIP[e.IP]++
		}
	}
	// Each denied row names the client: the forwarded one through the proxy, the peer itself when direct.
	want := map[string]int{"203.0.113.7": auth.AccountBurst + 1, "127.0.0.1": auth.AccountBurst + 1}
	if len(byIP) != len(want) || byIP["203.0.113.7"] != want["203.0.113.7"] || byIP["127.0.0.1"] != want["127.0.0.1"] {
		t.Errorf("denied logins by audited address = %v, want %v", byIP, want)
	}
}
