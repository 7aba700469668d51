package handlers

import (
	"net/url"
	"testing"

	"github.com/keyless/dashboard/db"
)

// alertRouteCases are the role cases of the alert records and their thresholds. The lifecycle routes are walked on
// an alert that does not exist, so every allowed role gets the same answer (404) however the walk is ordered.
func alertRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	handlers := []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller}
	admins := []db.Role{db.RoleAdmin}
	return []routeCase{
		{pattern: "GET /alerts", method: "GET", path: "/alerts?state=unresolved&property=" + ids.property, status: 200, allowed: roles},
		{pattern: "GET /alerts/{id}", method: "GET", path: "/alerts/999999", status: 404, allowed: roles},
		{pattern: "POST /alerts/{id}/acknowledge", method: "POST", path: "/alerts/999999/acknowledge", form: url.Values{"note": {"x"}}, status: 404, allowed: handlers},
		{pattern: "POST /alerts/{id}/resolve", method: "POST", path: "/alerts/999999/resolve", form: url.Values{}, status: 404, allowed: handlers},
		{pattern: "POST /properties/{id}/automations", method: "POST", path: "/properties/" + ids.property + "/automations", form: url.Values{}, status: 303, allowed: admins},
		{pattern: "GET /alerts/settings", method: "GET", path: "/alerts/settings", status: 200, allowed: admins},
		{pattern: "POST /alerts/settings", method: "POST", path: "/alerts/settings", form: url.Values{"low_battery": {"99"}}, status: 422, allowed: admins},
		{pattern: "POST /alerts/settings/remove", method: "POST", path: "/alerts/settings/remove", form: url.Values{}, status: 400, allowed: admins},
	}
}
