package handlers

import (
	"net/url"
	"testing"

	"github.com/keyless/dashboard/db"
)

// commandRouteCases are the role cases of the command, history, MQTT, master-code and audit-page routes. Empty forms
// are refused (422) before anything is sent, so the allowed roles change nothing.
func commandRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	operators := []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller}
	auditors := []db.Role{db.RoleAdmin, db.RoleAuditor}
	return []routeCase{
		{pattern: "POST /devices/{id}/commands", method: "POST", path: "/devices/" + ids.device + "/commands", form: url.Values{}, status: 422, allowed: operators},
		{pattern: "GET /devices/{id}/commands", method: "GET", path: "/devices/" + ids.device + "/commands", status: 200, allowed: roles},
		{pattern: "GET /devices/{id}/history", method: "GET", path: "/devices/" + ids.device + "/history", status: 200, allowed: roles},
		{pattern: "POST /hubs/{id}/commands", method: "POST", path: "/hubs/" + ids.hub + "/commands", form: url.Values{}, status: 422, allowed: operators},
		{pattern: "GET /hubs/{id}/commands", method: "GET", path: "/hubs/" + ids.hub + "/commands", status: 200, allowed: roles},
		{pattern: "GET /hubs/{id}/history", method: "GET", path: "/hubs/" + ids.hub + "/history", status: 200, allowed: roles},
		{pattern: "GET /hubs/{id}/mqtt", method: "GET", path: "/hubs/" + ids.hub + "/mqtt", status: 200, allowed: roles},
		{pattern: "POST /hubs/{id}/master-code", method: "POST", path: "/hubs/" + ids.hub + "/master-code", form: url.Values{}, status: 422, allowed: []db.Role{db.RoleInstaller}},
		{pattern: "GET /audit", method: "GET", path: "/audit", status: 200, allowed: auditors},
		{pattern: "GET /audit/export", method: "GET", path: "/audit/export?format=csv", status: 200, allowed: auditors},
	}
}
