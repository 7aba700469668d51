package handlers

import (
	"net/url"
	"testing"

	"github.com/keyless/dashboard/db"
)

// deviceEditRouteCases: renaming a device is for people who edit the portfolio (admins). The empty form is refused
// (422) before anything is sent, so the cases change nothing.
func deviceEditRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	dev := "/devices/" + mirrorIDs(t, env).device
	admins := []db.Role{db.RoleAdmin}
	return []routeCase{
		{pattern: "GET /devices/{id}/edit", method: "GET", path: dev + "/edit", status: 200, allowed: admins},
		{pattern: "POST /devices/{id}/edit", method: "POST", path: dev + "/edit", form: url.Values{}, status: 422, allowed: admins},
	}
}
