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
	capViewPortfolio   capability = "view the portfolio (properties, hubs, devices)"
	capSync            capability = "sync the mirror now"
	capManageUsers     capability = "manage users"
	capViewActivity    capability = "read the device activity log"
	capViewAudit       capability = "read the staff audit log"
	capManageInbox     capability = "manage the webhook inbox"
	capOperate         capability = "send commands to hubs and devices"
	capResetMasterCode capability = "reset a hub's master code"
	capManageAccess    capability = "manage lock codes, reservations, invitations, guest links and move-outs"
	capManageSchedules capability = "manage schedules"
	capEditPortfolio   capability = "create, edit and delete properties, hubs and device assignments"
	capRevealAnyCode   capability = "reveal lock codes other people issued"
)

// roleCapabilities is the role table of the README. Admins may do everything but the master-code reset, which the
// upstream reserves for hub installers.
var roleCapabilities = map[db.Role][]capability{
	db.RoleAdmin: {capViewPortfolio, capSync, capManageUsers, capViewActivity, capViewAudit, capManageInbox, capOperate,
		capManageAccess, capManageSchedules, capEditPortfolio, capRevealAnyCode},
	db.RoleStaff:     {capViewPortfolio, capSync, capViewActivity, capOperate, capManageAccess, capManageSchedules},
	db.RoleInstaller: {capViewPortfolio, capSync, capOperate, capResetMasterCode},
	db.RoleAuditor:   {capViewPortfolio, capViewActivity, capViewAudit},
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
