package handlers

import (
	"net/url"
	"testing"

	"github.com/keyless/dashboard/db"
)

// lockCodeRouteCases are the role cases of the lock-code, drift and one-off code routes. ids.device is usually not a
// lock and the shared test env has no code key, so the per-lock and per-code routes answer 404 to allowed roles:
// what matters here is that installers and auditors get 403 and the signed-out get the login page.
func lockCodeRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	manage := []db.Role{db.RoleAdmin, db.RoleStaff}
	return []routeCase{
		{pattern: "GET /properties/{id}/lock-codes", method: "GET", path: "/properties/" + ids.property + "/lock-codes", status: 200, allowed: manage},
		{pattern: "GET /properties/{id}/lock-codes/list", method: "GET", path: "/properties/" + ids.property + "/lock-codes/list", status: 200, allowed: manage},
		{pattern: "GET /properties/{id}/lock-codes/new", method: "GET", path: "/properties/" + ids.property + "/lock-codes/new", status: 200, allowed: manage},
		{pattern: "GET /properties/{id}/lock-codes/validity", method: "GET", path: "/properties/" + ids.property + "/lock-codes/validity?validity=Daily+Repeating", status: 200, allowed: manage},
		{pattern: "POST /properties/{id}/lock-codes", method: "POST", path: "/properties/" + ids.property + "/lock-codes", form: url.Values{}, status: 422, allowed: manage},
		{pattern: "GET /devices/{id}/lock-codes", method: "GET", path: "/devices/" + ids.device + "/lock-codes", status: 404 /* 200 for a lock */, allowed: manage},
		{pattern: "GET /devices/{id}/lock-codes/list", method: "GET", path: "/devices/" + ids.device + "/lock-codes/list", status: 404 /* 200 for a lock */, allowed: manage},
		{pattern: "GET /lock-codes/{id}/edit", method: "GET", path: "/lock-codes/none/edit", status: 404, allowed: manage},
		{pattern: "POST /lock-codes/{id}", method: "POST", path: "/lock-codes/none", form: url.Values{}, status: 404, allowed: manage},
		{pattern: "GET /lock-codes/{id}/delete", method: "GET", path: "/lock-codes/none/delete", status: 404, allowed: manage},
		{pattern: "POST /lock-codes/{id}/delete", method: "POST", path: "/lock-codes/none/delete", form: url.Values{}, status: 404, allowed: manage},
		{pattern: "POST /lock-codes/{id}/retry", method: "POST", path: "/lock-codes/none/retry", form: url.Values{}, status: 404, allowed: manage},
		{pattern: "POST /lock-codes/{id}/reveal", method: "POST", path: "/lock-codes/none/reveal", form: url.Values{}, status: 404, allowed: manage},
		{pattern: "GET /lock-codes/{id}/pin", method: "GET", path: "/lock-codes/none/pin", status: 404, allowed: manage},
		{pattern: "GET /lock-codes/{id}/row", method: "GET", path: "/lock-codes/none/row", status: 404, allowed: manage},
		{pattern: "GET /lock-codes/{id}/actions", method: "GET", path: "/lock-codes/none/actions", status: 404, allowed: manage},
		{pattern: "GET /drift", method: "GET", path: "/drift", status: 200, allowed: manage},
		{pattern: "GET /properties/{id}/drift", method: "GET", path: "/properties/" + ids.property + "/drift", status: 200, allowed: manage},
		{pattern: "POST /properties/{id}/drift/remove", method: "POST", path: "/properties/" + ids.property + "/drift/remove", form: url.Values{}, status: 422, allowed: manage},
		{pattern: "POST /properties/{id}/drift/resend", method: "POST", path: "/properties/" + ids.property + "/drift/resend", form: url.Values{}, status: 422, allowed: manage},
		{pattern: "POST /properties/{id}/drift/clear-slot", method: "POST", path: "/properties/" + ids.property + "/drift/clear-slot", form: url.Values{}, status: 422, allowed: manage},
		{pattern: "GET /properties/{id}/drift/adopt", method: "GET", path: "/properties/" + ids.property + "/drift/adopt?device=none&slot=1", status: 422, allowed: manage},
		{pattern: "POST /properties/{id}/drift/adopt", method: "POST", path: "/properties/" + ids.property + "/drift/adopt", form: url.Values{}, status: 422, allowed: manage},
		{pattern: "POST /hubs/{id}/unlock-code", method: "POST", path: "/hubs/" + ids.hub + "/unlock-code", form: url.Values{"name": {"<x>"}}, status: 422, allowed: manage},
		{pattern: "POST /devices/{id}/unlock-code", method: "POST", path: "/devices/" + ids.device + "/unlock-code", form: url.Values{}, status: 404 /* 422 for a lock */, allowed: manage},
	}
}
