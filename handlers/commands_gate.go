package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
)

// requireAudited is Sessions.require for the hardware actions, whose refusals belong in the audit log too: a
// signed-in person without c gets the same 403 as require gives, and the attempt is recorded as denied (action on
// the {id} target).
func requireAudited(d Deps, c auth.Capability, action, targetType string, next http.Handler) http.Handler {
	return d.Sessions.signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := currentUser(r.Context())
		if !p.can(c) {
			audit(r, d.Store, d.Logger, auditRecord{action: action, targetType: targetType,
				targetID: clip.String(r.PathValue("id"), 100), outcome: db.OutcomeDenied,
				detail: "role " + string(p.user.Role) + " may not " + string(c)})
			serveError(w, r, d.Logger, forbidden("Your role ("+string(p.user.Role)+") does not allow you to "+string(c)+"."))
			return
		}
		next.ServeHTTP(w, r)
	}))
}
