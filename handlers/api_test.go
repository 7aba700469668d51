package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/apitoken"
)

// TestAPITokenLifecycle: an admin creates a token (shown once, stored as a hash), it reads the API and its last
// use shows, it is revoked and then refused; creation and revocation are audited.
func TestAPITokenLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	token := env.createAPIToken(t, admin, "Billing export", db.RoleAuditor)
	lookup, ok := apitoken.Parse(token)
	if !ok || !strings.HasPrefix(token, "kd_") {
		t.Fatalf("token %q is not kd_<lookup>_<secret>", token)
	}

	list := env.get(t, admin, "/api-tokens")
	wantStatus(t, list, http.StatusOK)
	if strings.Contains(list.body, token) || byTestID(list.doc, "api-token-secret").Length() != 0 {
		t.Error("the list shows the token's secret again")
	}
	if !strings.Contains(list.body, "kd_"+lookup+"_") || !strings.Contains(list.body, "Billing export") {
		t.Error("the list does not show the token's name and prefix")
	}
	if got := strings.TrimSpace(one(t, list.doc, "api-token-last-used").Text()); got != "Never" {
		t.Errorf("last used %q before any call, want Never", got)
	}
	stored, err := env.store.ListAPITokens(t.Context())
	if err != nil || len(stored) != 1 {
		t.Fatalf("tokens %v, %v; want one", stored, err)
	}
	tok := stored[0]
	if tok.Hash != apitoken.Hash(token) || strings.Contains(tok.Hash+tok.Lookup+tok.Name, token[len("kd_")+17:]) {
		t.Errorf("stored %+v: want only the hash of the token", tok)
	}
	if tok.Role != db.RoleAuditor || tok.LastUsedAt != nil {
		t.Errorf("stored role %s, last used %v", tok.Role, tok.LastUsedAt)
	}

	r := env.apiGet(t, token, "/api/v1/properties")
	wantAPIStatus(t, r, http.StatusOK)
	var props apiListBody
	r.decode(t, &props)
	if len(props.Data) == 0 {
		t.Error("no properties")
	}
	if tok, _ = env.store.APITokenByID(t.Context(), tok.ID); tok.LastUsedAt == nil {
		t.Error("last used not recorded")
	}
	list = env.get(t, admin, "/api-tokens")
	if got := strings.TrimSpace(one(t, list.doc, "api-token-last-used").Text()); got == "Never" {
		t.Error("the list still says Never after a call")
	}

	id := strconv.FormatInt(tok.ID, 10)
	rev := env.postForm(t, admin, "/api-tokens/"+id+"/revoke", nil)
	wantStatus(t, rev, http.StatusSeeOther)
	r = env.apiGet(t, token, "/api/v1/properties")
	wantAPIStatus(t, r, http.StatusUnauthorized)
	if code := r.errorCode(t); code != "token_revoked" {
		t.Errorf("code %q, want token_revoked", code)
	}
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	list = env.get(t, admin, "/api-tokens")
	if byTestID(list.doc, "api-token-revoked").Length() != 1 || byTestID(list.doc, "api-token-revoke").Length() != 0 {
		t.Error("the list does not show the token revoked")
	}
	for _, action := range []string{"api_token.create", "api_token.revoke"} {
		rows, err := env.store.SearchAudit(t.Context(), db.AuditSearch{AuditFilter: db.AuditFilter{Action: action, TargetID: id}})
		if err != nil || len(rows) != 1 || rows[0].UserEmail != env.users[db.RoleAdmin].Email {
			t.Errorf("%s audit rows %+v, %v; want one by the admin", action, rows, err)
		}
	}
}

// TestAPITokenPageAccess: only admins see and use the tokens page; a bad form says why.
func TestAPITokenPageAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, role := range []db.Role{db.RoleStaff, db.RoleInstaller, db.RoleAuditor} {
		c := env.signedInClient(t, role)
		wantStatus(t, env.get(t, c, "/api-tokens"), http.StatusForbidden)
		wantStatus(t, env.postForm(t, c, "/api-tokens", url.Values{"name": {"x"}, "role": {"admin"}}), http.StatusForbidden)
	}
	if n, _ := env.store.ListAPITokens(t.Context()); len(n) != 0 {
		t.Errorf("%d tokens created by non-admins", len(n))
	}
	admin := env.signedInClient(t, db.RoleAdmin)
	for _, form := range []url.Values{{"name": {""}, "role": {"admin"}}, {"name": {"x"}, "role": {"root"}},
		{"name": {strings.Repeat("n", 101)}, "role": {"staff"}}} {
		r := env.postForm(t, admin, "/api-tokens", form)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		one(t, r.doc, "api-token-error")
	}
}

// TestAPIAuthentication: no token, a malformed or unknown one, another scheme, or only a session cookie: 401 in
// JSON, nothing read.
func TestAPIAuthentication(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	token := env.createAPIToken(t, admin, "ok", db.RoleAdmin)
	unknown, _, _, _ := apitoken.Generate()
	tests := []struct {
		name string
		do   func() apiResponse
	}{
		{"no header", func() apiResponse { return env.apiGet(t, "", "/api/v1/properties") }},
		{"malformed", func() apiResponse { return env.apiGet(t, "abc", "/api/v1/properties") }},
		{"unknown", func() apiResponse { return env.apiGet(t, unknown, "/api/v1/properties") }},
		{"wrong secret", func() apiResponse { return env.apiGet(t, token[:len(token)-2]+"xx", "/api/v1/properties") }},
		{"basic scheme", func() apiResponse {
			return env.apiGet(t, "", "/api/v1/properties", http.Header{"Authorization": {"Basic " + token}})
		}},
		{"session cookie only", func() apiResponse {
			return env.apiDo(t, admin, http.MethodGet, "", "/api/v1/properties", env.sameOrigin())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.do()
			wantAPIStatus(t, r, http.StatusUnauthorized)
			if code := r.errorCode(t); code != "unauthorized" {
				t.Errorf("code %q, want unauthorized", code)
			}
		})
	}
	r := env.apiDo(t, admin, http.MethodGet, token, "/api/v1/properties") // cookie and token: the token decides
	wantAPIStatus(t, r, http.StatusOK)
}

// TestAPIScopes: a token answers only what its role may read.
func TestAPIScopes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	tokens := map[db.Role]string{}
	for _, role := range roles {
		tokens[role] = env.createAPIToken(t, admin, string(role)+" token", role)
	}
	tests := []struct {
		path string
		want map[db.Role]int
	}{
		{"/api/v1/audit", map[db.Role]int{db.RoleAdmin: 200, db.RoleStaff: 403, db.RoleInstaller: 403, db.RoleAuditor: 200}},
		{"/api/v1/activities", map[db.Role]int{db.RoleAdmin: 200, db.RoleStaff: 200, db.RoleInstaller: 403, db.RoleAuditor: 200}},
		{"/api/v1/lock-codes", map[db.Role]int{db.RoleAdmin: 200, db.RoleStaff: 200, db.RoleInstaller: 403, db.RoleAuditor: 403}},
		{"/api/v1/devices", map[db.Role]int{db.RoleAdmin: 200, db.RoleStaff: 200, db.RoleInstaller: 200, db.RoleAuditor: 200}},
		{"/api/v1/alerts", map[db.Role]int{db.RoleAdmin: 200, db.RoleStaff: 200, db.RoleInstaller: 200, db.RoleAuditor: 200}},
	}
	for _, tt := range tests {
		for _, role := range roles {
			t.Run(tt.path+"/"+string(role), func(t *testing.T) {
				r := env.apiGet(t, tokens[role], tt.path)
				wantAPIStatus(t, r, tt.want[role])
				if r.status == http.StatusForbidden && r.errorCode(t) != "forbidden" {
					t.Errorf("403 code %q", r.errorCode(t))
				}
			})
		}
	}
}

// TestAPIRateLimit: a token has a burst of 20 calls, then 429 with Retry-After, in JSON and audited.
func TestAPIRateLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withAPIRate(apitoken.DefaultRate))
	admin := env.signedInClient(t, db.RoleAdmin)
	token := env.createAPIToken(t, admin, "busy", db.RoleAuditor)
	other := env.createAPIToken(t, admin, "quiet", db.RoleAuditor)
	var limited apiResponse
	for i := range 60 {
		r := env.apiGet(t, token, "/api/v1/properties?limit=1")
		if r.status == http.StatusTooManyRequests {
			if i < apitoken.DefaultRate.Burst {
				t.Fatalf("429 after %d calls, before the burst of %d", i, apitoken.DefaultRate.Burst)
			}
			limited = r
			break
		}
		wantAPIStatus(t, r, http.StatusOK)
	}
	if limited.status == 0 {
		t.Fatal("60 calls in a row were never limited")
	}
	if code := limited.errorCode(t); code != "rate_limited" {
		t.Errorf("code %q", code)
	}
	if s, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", limited.header.Get("Retry-After"))
	}
	wantAPIStatus(t, env.apiGet(t, other, "/api/v1/properties?limit=1"), http.StatusOK) // buckets are per token
	tok := tokenByName(t, env, "busy")
	rows := env.apiAuditRows(t, strconv.FormatInt(tok.ID, 10))
	if len(rows) == 0 || rows[0].Outcome != db.OutcomeDenied || !strings.HasSuffix(rows[0].Detail, "→ 429") {
		t.Errorf("the 429 is not audited as denied: %+v", rows[:min(1, len(rows))])
	}
}

// TestAPIAuditsEveryCall: one audit row per call, the token as actor, the route, query and status in it.
func TestAPIAuditsEveryCall(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	token := env.createAPIToken(t, admin, "Nightly <sync>", db.RoleStaff)
	tok := tokenByName(t, env, "Nightly <sync>")
	calls := []struct {
		path   string
		status int
	}{
		{"/api/v1/properties?limit=2", 200}, {"/api/v1/devices", 200}, {"/api/v1/audit", 403},
		{"/api/v1/devices/nope", 404}, {"/api/v1/hubs?limit=0", 400},
	}
	for _, c := range calls {
		wantAPIStatus(t, env.apiGet(t, token, c.path), c.status)
	}
	rows := env.apiAuditRows(t, strconv.FormatInt(tok.ID, 10))
	if len(rows) != len(calls) {
		t.Fatalf("%d audit rows for %d calls", len(rows), len(calls))
	}
	for i, c := range calls {
		row := rows[len(rows)-1-i] // newest first
		want := "GET " + c.path + " → " + strconv.Itoa(c.status)
		if row.Detail != want || row.UserEmail != apiActor(tok) || row.Role != "staff" || row.UserID != nil {
			t.Errorf("row %d: %+v, want detail %q by %q", i, row, want, apiActor(tok))
		}
	}
	if rows[len(rows)-3].Outcome != db.OutcomeDenied || rows[len(rows)-1].Outcome != db.OutcomeOK ||
		rows[0].Outcome != db.OutcomeFailed {
		t.Error("outcomes: want ok for 200, denied for 403, failed for 400")
	}
}

func tokenByName(t *testing.T, env *testEnv, name string) db.APIToken {
	t.Helper()
	all, err := env.store.ListAPITokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range all {
		if tok.Name == name {
			return tok
		}
	}
	t.Fatalf("no token %q", name)
	return db.APIToken{}
}
