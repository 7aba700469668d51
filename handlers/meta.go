package handlers

import (
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
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
	"password-changed": {Kind: "ok", Message: "Your password was changed. Other sessions were signed out."},
	"user-created":     {Kind: "ok", Message: "The user was created."},
	"user-saved":       {Kind: "ok", Message: "The user was saved."},
}

// pageMeta builds the layout's data for the signed-in person of r.
func pageMeta(r *http.Request, title, nav string) views.PageMeta {
	m := views.PageMeta{Title: title, Nav: nav}
	if f, ok := flashes[r.URL.Query().Get("flash")]; ok {
		m.Flash = append(m.Flash, f)
	}
	p := currentUser(r.Context())
	if p == nil {
		return m
	}
	m.User = &views.UserData{Name: p.user.Name, Email: p.user.Email, Role: roleLabel(p.user.Role),
		CanAdmin: p.can(capManageUsers), CanAudit: p.can(capViewAudit), CanActivity: p.can(capViewActivity),
		CanOperate: p.can(capOperate), CanManageAccess: p.can(capManageAccess), CanSchedule: p.can(capManageSchedules),
		IsInstaller: p.can(capResetMasterCode)}
	m.User.CanEditPortfolio = p.can(capEditPortfolio)
	return m
}
