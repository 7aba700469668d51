package handlers

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/db"
)

// bulkRouteCases are the role cases of the bulk access routes: people who manage access get them, installers and
// auditors get 403. The action they read is one revoke recorded straight in the store; its code is long gone.
func bulkRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	b, _, err := env.store.CreateBulkAction(t.Context(), db.BulkAction{Kind: db.BulkRevoke, Token: "roles-test-token",
		Label: "Nobody", Items: []db.BulkItem{{PropertyID: mustID(t, ids.property), LockCodeID: "gone"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := "/bulk/" + strconv.FormatInt(b.ID, 10)
	manage := []db.Role{db.RoleAdmin, db.RoleStaff}
	return []routeCase{
		{pattern: "GET /bulk", method: "GET", path: "/bulk?q=a", status: 200, allowed: manage},
		{pattern: "GET /bulk/code", method: "GET", path: "/bulk/code?property=" + ids.property, status: 200, allowed: manage},
		{pattern: "POST /bulk/codes", method: "POST", path: "/bulk/codes", form: url.Values{}, status: 400, allowed: manage},
		{pattern: "GET /bulk/revoke", method: "GET", path: "/bulk/revoke?person=Nobody", status: 200, allowed: manage},
		{pattern: "POST /bulk/revoke", method: "POST", path: "/bulk/revoke", form: url.Values{}, status: 400, allowed: manage},
		{pattern: "GET /bulk/move-out", method: "GET", path: "/bulk/move-out?property=" + ids.property, status: 200, allowed: manage},
		{pattern: "POST /bulk/move-outs", method: "POST", path: "/bulk/move-outs", form: url.Values{}, status: 400, allowed: manage},
		{pattern: "GET /bulk/{id}", method: "GET", path: id, status: 200, allowed: manage},
		{pattern: "GET /bulk/{id}/progress", method: "GET", path: id + "/progress", status: 200, allowed: manage},
		{pattern: "POST /bulk/{id}/retry", method: "POST", path: id + "/retry", form: url.Values{}, status: 303, allowed: manage},
		{pattern: "GET /lock-codes/{id}/revoke-everywhere", method: "GET", path: "/lock-codes/none/revoke-everywhere", status: 404, allowed: manage},
	}
}
