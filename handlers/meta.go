package handlers

import (
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

func nowUTC() time.Time { return time.Now().UTC() }

// roleLabel is how a role reads in the page header.
func roleLabel(r db.Role) string {
	switch r {
	case db.RoleAdmin:
		return "Admin"
	case db.RoleStaff:
		return "Leasing staff"
	case db.RoleInstaller:
		return "Hub installer"
	case db.RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// flashes are the messages a redirect may ask the next page to show, by code: no text from the URL reaches the page.
var flashes = map[string]views.FlashData{
	"thresholds-saved": {Kind: "ok", Message: "The alert thresholds were saved; alerts were re-checked against them."},
	"password-changed": {Kind: "ok", Message: "Your password was changed. Other sessions were signed out."},
	"user-created":     {Kind: "ok", Message: "The user was created."},
	"user-saved":       {Kind: "ok", Message: "The user was saved."},
	// portfolio and schedule edits
	"property-created":     {Kind: "ok", Message: "The property was created in the Smart Home service."},
	"property-saved":       {Kind: "ok", Message: "The property was saved."},
	"property-deleted":     {Kind: "ok", Message: "The property was deleted, with its lock codes, invitations and schedules. Its hubs and devices are now unassigned."},
	"hub-saved":            {Kind: "ok", Message: "The hub was saved."},
	"device-assigned":      {Kind: "ok", Message: "The device was assigned to the property."},
	"device-renamed":       {Kind: "ok", Message: "The device's names were saved."},
	"device-unchanged":     {Kind: "info", Message: "The names are as they were; nothing was sent."},
	"schedule-created":     {Kind: "ok", Message: "The schedule was created. Activate it to make the device follow it."},
	"schedule-saved":       {Kind: "ok", Message: "The schedule was saved; devices running it follow the new blocks."},
	"schedule-deleted":     {Kind: "ok", Message: "The schedule was deleted; devices that ran it keep their current settings."},
	"schedule-activated":   {Kind: "ok", Message: "The schedule is now active on this device."},
	"access-unreadable":    {Kind: "error", Message: "Reservations and invitations could not be read from the Smart Home service; the page shows the copy saved here. Try again in a minute."},
	"schedules-unreadable": {Kind: "error", Message: "The schedules could not be read from the Smart Home service; the page shows the copy saved here. Try again in a minute."},
}

// pageMeta builds the layout's data for the signed-in person of r.
func pageMeta(r *http.Request, title, nav string) views.PageMeta {
	m := views.PageMeta{Title: title, Nav: nav, RequestID: requestID(r.Context())}
	if f, ok := flashes[r.URL.Query().Get("flash")]; ok {
		m.Flash = append(m.Flash, f)
	}
	p := currentUser(r.Context())
	if p == nil {
		return m
	}
	m.User = &views.UserData{Name: p.user.Name, Email: p.user.Email, Role: roleLabel(p.user.Role),
		CanAdmin: p.can(auth.ManageUsers), CanAudit: p.can(auth.ViewAudit), CanActivity: p.can(auth.ViewActivity),
		CanOperate: p.can(auth.Operate), CanManageAccess: p.can(auth.ManageAccess), CanSchedule: p.can(auth.ManageSchedules),
		IsInstaller: p.can(auth.ResetMasterCode)}
	m.User.CanEditPortfolio = p.can(auth.EditPortfolio)
	m.User.CanManageAlerts = p.can(auth.ManageAlerts)
	m.User.CanAPITokens = p.can(auth.ManageAPITokens)
	return m
}
