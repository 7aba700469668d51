package handlers

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIPKey carries the client address resolved once per request by resolveClient.
type clientIPKey struct{}

// resolveClient works out who is calling (see forwardedClient) and keeps it in the request context, so the
// login throttle, the guest-link limits and the audit log all see the same address.
func resolveClient(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := forwardedClient(peerIP(r), r.Header.Values("X-Forwarded-For"), trusted)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// peerIP is the TCP peer's address without the port (RemoteAddr as is when it has none, as in some tests).
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwardedClient returns the client address. X-Forwarded-For is read only when the TCP peer is a trusted proxy:
// anyone else could write anything there. It is walked right to left, because each proxy appends the address it
// saw: the rightmost entries were written by our own proxies, and the first hop that is not one of them is the
// client as far as we can vouch for it; everything left of it is whatever that client claimed. A malformed entry
// stops the walk at the last address we could trust (the proxy that passed it on): it names nobody reliably.
func forwardedClient(peer string, header []string, trusted []netip.Prefix) string {
	if len(trusted) == 0 || !isTrusted(peer, trusted) {
		return peer
	}
	var hops []string
	for _, h := range header { // several X-Forwarded-For lines are one list, in order
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = addr.String()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client // every hop is one of ours: the leftmost is the closest we get to the client
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port or in brackets, as some proxies write.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

func isTrusted(ip string, trusted []netip.Prefix) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
