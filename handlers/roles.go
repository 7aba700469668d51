package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/domain/auth"
)

func (p *principal) can(c auth.Capability) bool {
	return p != nil && auth.Can(p.user.Role, c)
}

// require lets a request through only for a signed-in person whose role has c; others get the login page or a 403.
func (s *Sessions) require(c auth.Capability, next http.Handler) http.Handler {
	return s.signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := currentUser(r.Context())
		if !p.can(c) {
			serveError(w, r, s.logger, forbidden("Your role ("+string(p.user.Role)+") does not allow you to "+string(c)+"."))
			return
		}
		next.ServeHTTP(w, r)
	}))
}
