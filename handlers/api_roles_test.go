package handlers

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/apitoken"
)

// apiTokenRouteCases are the role cases of the API tokens page: admins only. The JSON API itself takes no
// session (TestAPIAuthentication).
func apiTokenRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	_, lookup, hash, err := apitoken.Generate()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := env.store.CreateAPIToken(t.Context(), db.APIToken{Lookup: lookup, Hash: hash, Name: "roles " + t.Name(), Role: db.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	id, admins := strconv.FormatInt(tok.ID, 10), []db.Role{db.RoleAdmin}
	return []routeCase{
		{pattern: "GET /api-tokens", method: "GET", path: "/api-tokens", status: 200, allowed: admins},
		{pattern: "POST /api-tokens", method: "POST", path: "/api-tokens", form: url.Values{}, status: 422, allowed: admins},
		{pattern: "POST /api-tokens/{id}/revoke", method: "POST", path: "/api-tokens/" + id + "/revoke", form: url.Values{},
			status: 303, allowed: admins},
	}
}
