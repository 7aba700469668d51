package auth

import (
	"slices"

	"github.com/keyless/dashboard/db"
)

// Capability is one thing a person may do; roles are sets of capabilities, kept in this one table so docs/roles.md's
// role table and the code cannot drift apart without a test noticing. Its text completes "does not allow you to …"
// in the 403 page, so it is written for people.
type Capability string

// The capabilities a route or a page section asks for.
const (
	ViewPortfolio   Capability = "view the portfolio (properties, hubs, devices)"
	Sync            Capability = "sync the mirror now"
	ManageUsers     Capability = "manage users"
	ViewActivity    Capability = "read the device activity log"
	ViewAudit       Capability = "read the staff audit log"
	ManageInbox     Capability = "manage the webhook inbox"
	Operate         Capability = "send commands to hubs and devices"
	ResetMasterCode Capability = "reset a hub's master code"
	ManageAccess    Capability = "manage lock codes, reservations, invitations, guest links and move-outs"
	ManageSchedules Capability = "manage schedules"
	EditPortfolio   Capability = "create, edit and delete properties, hubs and device assignments"
	RevealAnyCode   Capability = "reveal lock codes other people issued"
	HandleAlerts    Capability = "acknowledge and resolve alerts"
	ConfigureAlerts Capability = "set alert thresholds and property automations"
	ManageAlerts    Capability = "manage alert notifications (rules, webhook endpoints, deliveries)"
	ManageAPITokens Capability = "create and revoke API tokens"
)

// roleCapabilities is the role table of docs/roles.md. Admins may do everything but the master-code reset, which the
// upstream reserves for hub installers. Whoever may operate the hardware may answer its alerts (an installer on
// site is often the one who fixes the leak); auditors only watch.
var roleCapabilities = map[db.Role][]Capability{
	db.RoleAdmin: {ViewPortfolio, Sync, ManageUsers, ViewActivity, ViewAudit, ManageInbox, Operate,
		ManageAccess, ManageSchedules, EditPortfolio, RevealAnyCode, HandleAlerts, ConfigureAlerts,
		ManageAlerts, ManageAPITokens},
	db.RoleStaff:     {ViewPortfolio, Sync, ViewActivity, Operate, ManageAccess, ManageSchedules, HandleAlerts},
	db.RoleInstaller: {ViewPortfolio, Sync, Operate, ResetMasterCode, HandleAlerts},
	db.RoleAuditor:   {ViewPortfolio, ViewActivity, ViewAudit},
}

// Can reports whether role has c; an unknown role has nothing.
func Can(role db.Role, c Capability) bool {
	return slices.Contains(roleCapabilities[role], c)
}
