package handlers

import (
	"net/http"
	"slices"

	"github.com/keyless/dashboard/db"
)

// capability is one thing a person may do; roles are sets of capabilities, kept in this one table so the README's
// role table and the code cannot drift apart without a test noticing.
type capability string

const (
	capViewPortfolio capability = "view the portfolio (properties, hubs, devices)"
	capSync          capability = "sync the mirror now"
	capManageUsers   capability = "manage users"
)

var roleCapabilities = map[db.Role][]capability{
	db.RoleAdmin:     {capViewPortfolio, capSync, capManageUsers},
	db.RoleStaff:     {capViewPortfolio, capSync},
	db.RoleInstaller: {capViewPortfolio, capSync},
	db.RoleAuditor:   {capViewPortfolio},
}

func (p *principal) can(c capability) bool {
	return p != nil && slices.Contains(roleCapabilities[p.user.Role], c)
}

// require lets a request through only for a signed-in person whose role has c; others get the login page or a 403.
func (s *Sessions) require(c capability, next http.Handler) http.Handler {
	return s.signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := currentUser(r.Context())
		if !p.can(c) {
			serveError(w, r, s.logger, forbidden("Your role ("+string(p.user.Role)+") does not allow you to "+string(c)+"."))
			return
		}
		next.ServeHTTP(w, r)
	}))
}
