package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/db"
)

// csrfTarget is a state-changing POST, the form an attacker's page would send, and a check that it had no effect.
type csrfTarget struct {
	path      string
	form      func(env *testEnv) url.Values
	unchanged func(t *testing.T, env *testEnv, c *http.Client, res response)
	changed   func(t *testing.T, env *testEnv, c *http.Client, res response) // what the same form does from our pages
}

const csrfNewPassword = "attacker-chosen-password"

func csrfTargets() []csrfTarget {
	return []csrfTarget{
		{
			path: "/logout",
			form: func(*testEnv) url.Values { return url.Values{} },
			unchanged: func(t *testing.T, env *testEnv, c *http.Client, _ response) {
				wantStatus(t, env.get(t, c, "/"), http.StatusOK)
			},
			changed: func(t *testing.T, env *testEnv, c *http.Client, _ response) {
				wantSignedOut(t, env.get(t, c, "/"))
			},
		},
		{
			path: "/users",
			form: func(*testEnv) url.Values {
				return url.Values{"email": {"csrf@test.example"}, "name": {"Mallory"}, "role": {"admin"}, "password": {"mallory-password"}}
			},
			unchanged: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				if _, err := env.store.UserByEmail(t.Context(), "csrf@test.example"); !errors.Is(err, db.ErrNotFound) {
					t.Errorf("the forged user exists (err %v)", err)
				}
			},
			changed: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				if _, err := env.store.UserByEmail(t.Context(), "csrf@test.example"); err != nil {
					t.Errorf("the user was not created: %v", err)
				}
			},
		},
		{
			path: "/users/{staff}",
			form: func(env *testEnv) url.Values {
				return url.Values{"name": {"Pwned"}, "role": {"admin"}}
			},
			unchanged: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				u, err := env.store.UserByID(t.Context(), env.users[db.RoleStaff].ID)
				if err != nil {
					t.Fatal(err)
				}
				if u.Role != db.RoleStaff || u.Name != env.users[db.RoleStaff].Name {
					t.Errorf("the forged edit changed the user: %s %s", u.Name, u.Role)
				}
			},
			changed: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				u, err := env.store.UserByID(t.Context(), env.users[db.RoleStaff].ID)
				if err != nil || u.Role != db.RoleAdmin || u.Name != "Pwned" {
					t.Errorf("the edit was not saved: %+v %v", u, err)
				}
			},
		},
		{
			path: "/account/password",
			form: func(env *testEnv) url.Values {
				return url.Values{"current_password": {env.users[db.RoleAdmin].password}, "new_password": {csrfNewPassword},
					"confirm_password": {csrfNewPassword}}
			},
			unchanged: func(t *testing.T, env *testEnv, c *http.Client, _ response) {
				wantStatus(t, env.get(t, c, "/"), http.StatusOK)
				u := env.users[db.RoleAdmin]
				env.loginAs(t, env.client(t), u.Email, u.password)
			},
			changed: func(t *testing.T, env *testEnv, c *http.Client, _ response) {
				wantStatus(t, env.get(t, c, "/"), http.StatusOK)
				env.loginAs(t, env.client(t), env.users[db.RoleAdmin].Email, csrfNewPassword)
			},
		},
		{
			path: "/sync",
			form: func(*testEnv) url.Values { return url.Values{} },
			unchanged: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				if got, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "mirror.sync"}); err != nil || len(got) != 0 {
					t.Errorf("a forged sync ran: %d audit rows (err %v)", len(got), err)
				}
			},
			changed: func(t *testing.T, env *testEnv, _ *http.Client, _ response) {
				if got, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "mirror.sync"}); err != nil || len(got) != 1 {
					t.Errorf("the sync did not run: %d audit rows (err %v)", len(got), err)
				}
			},
		},
		{
			path: "/login",
			form: func(env *testEnv) url.Values {
				return url.Values{"email": {env.users[db.RoleAuditor].Email}, "password": {env.users[db.RoleAuditor].password}}
			},
			unchanged: func(t *testing.T, _ *testEnv, _ *http.Client, res response) {
				if cookie(res, plainCookie) != nil {
					t.Error("a cross-site login set a session cookie (login CSRF)")
				}
			},
			changed: func(t *testing.T, _ *testEnv, _ *http.Client, res response) {
				if cookie(res, plainCookie) == nil {
					t.Error("no session cookie")
				}
			},
		},
	}
}

func (ct csrfTarget) url(env *testEnv) string {
	if ct.path == "/users/{staff}" {
		return "/users/" + strconv.FormatInt(env.users[db.RoleStaff].ID, 10)
	}
	return ct.path
}

func TestCrossOriginPostsRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	attacks := []struct {
		name string
		hdr  http.Header
	}{
		{"Origin of another site", http.Header{"Origin": {"https://evil.example"}}},
		{"Sec-Fetch-Site cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"Sec-Fetch-Site same-site", http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://sub.evil.example"}}},
		{"Origin null", http.Header{"Origin": {"null"}}},
		{"both, cross-site", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, target := range csrfTargets() {
		for _, a := range attacks {
			t.Run(target.path+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				c := env.signedInClient(t, db.RoleAdmin)
				res := env.do(t, c, http.MethodPost, target.url(env), target.form(env), a.hdr)
				wantStatus(t, res, http.StatusForbidden)
				target.unchanged(t, env, c, res)
			})
		}
	}
}

// TestSameOriginPostsPass: the same forms from our own pages go through, and do what they are for.
func TestSameOriginPostsPass(t *testing.T) {
	t.Parallel()
	for _, target := range csrfTargets() {
		t.Run(target.path, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			c := env.signedInClient(t, db.RoleAdmin)
			res := env.postForm(t, c, target.url(env), target.form(env))
			wantStatus(t, res, http.StatusSeeOther)
			target.changed(t, env, c, res)
		})
	}
	t.Run("no browser headers (curl, webhooks)", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		u := env.users[db.RoleStaff]
		res := env.do(t, env.client(t), http.MethodPost, "/login", url.Values{"email": {u.Email}, "password": {u.password}})
		wantStatus(t, res, http.StatusSeeOther)
	})
}
