package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

func TestUserCreateValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	valid := func(change func(url.Values)) url.Values {
		v := url.Values{"email": {"new@test.example"}, "name": {"New Person"}, "role": {"staff"}, "password": {"a-good-password"}}
		change(v)
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		msg    string // substring of the error shown
	}{
		{"bad email", valid(func(v url.Values) { v.Set("email", "not-an-email") }), 422, "valid email"},
		{"email with a display name", valid(func(v url.Values) { v.Set("email", "Eve <eve@test.example>") }), 422, "valid email"},
		{"email too long", valid(func(v url.Values) { v.Set("email", strings.Repeat("a", 250)+"@test.example") }), 422, "valid email"},
		{"empty name", valid(func(v url.Values) { v.Set("name", "   ") }), 422, "name of 1 to 100"},
		{"name too long", valid(func(v url.Values) { v.Set("name", strings.Repeat("é", 101)) }), 422, "name of 1 to 100"},
		{"short password", valid(func(v url.Values) { v.Set("password", "123456789") }), 422, "at least 10"},
		{"long password", valid(func(v url.Values) { v.Set("password", strings.Repeat("p", 73)) }), 422, "at most 72"},
		{"unknown role", valid(func(v url.Values) { v.Set("role", "root") }), 422, "Choose one of the roles"},
		{"no role", valid(func(v url.Values) { v.Del("role") }), 422, "Choose one of the roles"},
		{"duplicate email", valid(func(v url.Values) { v.Set("email", env.users[db.RoleStaff].Email) }), 409, "already exists"},
		{"duplicate email, other case", valid(func(v url.Values) { v.Set("email", strings.ToUpper(env.users[db.RoleStaff].Email)) }), 409, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := env.signedInClient(t, db.RoleAdmin)
			before := countUsers(t, env)
			res := env.postForm(t, c, "/users", tt.form)
			wantStatus(t, res, tt.status)
			if msg := text(one(t, res.doc, "user-create-error")); !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q, want it to contain %q", msg, tt.msg)
			}
			if pw := tt.form.Get("password"); pw != "" && strings.Contains(res.body, pw) {
				t.Error("the page echoes the password")
			}
			one(t, res.doc, "users-table")
			if got := countUsers(t, env); got != before {
				t.Errorf("users %d → %d after a refused create", before, got)
			}
		})
	}
}

func countUsers(t *testing.T, env *testEnv) int {
	t.Helper()
	n, err := env.store.CountUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleAdmin)
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)> O'Brien & "Co"`
	res := env.postForm(t, c, "/users", url.Values{"email": {"  Evil@Test.Example "}, "name": {evil},
		"role": {"auditor"}, "password": {"evil-password-1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/users?flash=user-created" {
		t.Errorf("Location %q", got)
	}
	u, err := env.store.UserByEmail(t.Context(), "evil@test.example")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != evil || u.Role != db.RoleAuditor || u.Disabled {
		t.Errorf("stored %q %s disabled=%v", u.Name, u.Role, u.Disabled)
	}

	page := env.get(t, c, res.location())
	wantStatus(t, page, http.StatusOK)
	if f := one(t, page.doc, "flash"); !strings.Contains(text(f), "created") {
		t.Errorf("flash %q", text(f))
	}
	row := page.doc.Find(`[data-testid="user-row"][data-user-id="` + strconv.FormatInt(u.ID, 10) + `"]`)
	if row.Length() != 1 {
		t.Fatalf("%d rows for the new user", row.Length())
	}
	if got := row.Find(`[data-testid="user-name-input"]`).AttrOr("value", ""); got != evil {
		t.Errorf("name shown as %q, want %q", got, evil)
	}
	if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") {
		t.Error("the name reached the page unescaped")
	}
	env.loginAs(t, env.client(t), "evil@test.example", "evil-password-1")

	entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "user.create", TargetID: u.Email})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Outcome != db.OutcomeOK || entries[0].UserEmail != env.users[db.RoleAdmin].Email ||
		!strings.Contains(entries[0].Detail, "auditor") {
		t.Errorf("audit: %+v", entries)
	}
}

func TestUserUpdate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.users[db.RoleAdmin]
	staff := env.users[db.RoleStaff]
	path := func(u testUser) string { return "/users/" + strconv.FormatInt(u.ID, 10) }
	tests := []struct {
		name    string
		user    testUser
		form    url.Values
		status  int
		errMsg  string // "" = saved
		want    db.User
		audited string // audit detail of the saved change
	}{
		{"rename and change role", staff, url.Values{"name": {"Staff Renamed"}, "role": {"installer"}}, 200, "",
			db.User{Name: "Staff Renamed", Role: db.RoleInstaller}, "role installer"},
		{"disable another user", env.users[db.RoleAuditor], url.Values{"name": {"Test auditor"}, "role": {"auditor"}, "disabled": {"1"}}, 200, "",
			db.User{Name: "Test auditor", Role: db.RoleAuditor, Disabled: true}, "role auditor, disabled"},
		{"empty name", env.users[db.RoleInstaller], url.Values{"name": {""}, "role": {"installer"}}, 422, "name of 1 to 100",
			db.User{Name: "Test installer", Role: db.RoleInstaller}, ""},
		{"unknown role", env.users[db.RoleInstaller], url.Values{"name": {"X"}, "role": {"superuser"}}, 422, "Choose one of the roles",
			db.User{Name: "Test installer", Role: db.RoleInstaller}, ""},
		{"admin disables themselves", admin, url.Values{"name": {admin.Name}, "role": {"admin"}, "disabled": {"1"}}, 422, "cannot disable yourself",
			db.User{Name: admin.Name, Role: db.RoleAdmin}, ""},
		{"admin demotes themselves", admin, url.Values{"name": {admin.Name}, "role": {"staff"}}, 422, "cannot disable yourself or remove your own admin role",
			db.User{Name: admin.Name, Role: db.RoleAdmin}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the cases edit the same users and read the audit log in order.
			c := env.signedInClient(t, db.RoleAdmin)
			res := env.postForm(t, c, path(tt.user), tt.form, htmx)
			wantStatus(t, res, tt.status)
			doc := parseRow(t, res.body)
			if byTestID(doc, "brand").Length() != 0 {
				t.Error("the htmx answer carries the layout")
			}
			row := one(t, doc, "user-row")
			if got := row.AttrOr("data-user-id", ""); got != strconv.FormatInt(tt.user.ID, 10) {
				t.Errorf("row of user %q", got)
			}
			if tt.errMsg == "" {
				one(t, doc, "user-row-saved")
				if byTestID(doc, "user-row-error").Length() != 0 {
					t.Error("a saved row shows an error")
				}
			} else if msg := text(one(t, doc, "user-row-error")); !strings.Contains(msg, tt.errMsg) {
				t.Errorf("row error %q, want %q", msg, tt.errMsg)
			}
			u, err := env.store.UserByID(t.Context(), tt.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != tt.want.Name || u.Role != tt.want.Role || u.Disabled != tt.want.Disabled {
				t.Errorf("stored %q %s disabled=%v, want %q %s disabled=%v", u.Name, u.Role, u.Disabled,
					tt.want.Name, tt.want.Role, tt.want.Disabled)
			}
			entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "user.update", TargetID: tt.user.Email})
			if err != nil {
				t.Fatal(err)
			}
			if tt.audited != "" && (len(entries) == 0 || entries[0].Detail != tt.audited || entries[0].Outcome != db.OutcomeOK) {
				t.Errorf("audit for the saved change: %+v", entries)
			}
			if tt.audited == "" && len(entries) != 0 {
				t.Errorf("a refused change was audited as done: %+v", entries)
			}
		})
	}
	t.Run("plain form post", func(t *testing.T) {
		c := env.signedInClient(t, db.RoleAdmin)
		res := env.postForm(t, c, path(staff), url.Values{"name": {"Plain Post"}, "role": {"staff"}})
		wantStatus(t, res, http.StatusSeeOther)
		if got := res.location(); got != "/users?flash=user-saved" {
			t.Errorf("Location %q", got)
		}
		res = env.postForm(t, c, path(admin), url.Values{"name": {admin.Name}, "role": {"auditor"}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := text(one(t, res.doc, "user-create-error")); !strings.Contains(msg, "cannot disable yourself") {
			t.Errorf("page error %q", msg)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		c := env.signedInClient(t, db.RoleAdmin)
		for _, p := range []string{"/users/999999", "/users/abc", "/users/-1"} {
			res := env.postForm(t, c, p, url.Values{"name": {"X"}, "role": {"staff"}})
			wantStatus(t, res, http.StatusNotFound)
			one(t, res.doc, "error-page")
			res = env.postForm(t, c, p, url.Values{"name": {"X"}, "role": {"staff"}}, htmx)
			wantStatus(t, res, http.StatusNotFound)
			if got := res.header.Get("HX-Retarget"); got != "#flash" {
				t.Errorf("%s htmx: HX-Retarget %q", p, got)
			}
		}
	})
}

// TestRoleChangeAtOnce: a demoted person loses the capability on their next request, in the session they hold.
func TestRoleChangeAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	staff := env.users[db.RoleStaff]
	c := env.signedInClient(t, db.RoleStaff)
	wantStatus(t, env.get(t, c, "/users"), http.StatusForbidden)
	stream := openStream(t, env, c)

	admin := env.signedInClient(t, db.RoleAdmin)
	res := env.postForm(t, admin, "/users/"+strconv.FormatInt(staff.ID, 10), url.Values{"name": {staff.Name}, "role": {"auditor"}}, htmx)
	wantStatus(t, res, http.StatusOK)
	wantStreamClosed(t, stream) // it was opened with the old rights

	res = env.postForm(t, c, "/sync", url.Values{}, htmx)
	wantStatus(t, res, http.StatusForbidden)
	if got, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "mirror.sync"}); err != nil || len(got) != 0 {
		t.Errorf("the demoted user's sync ran: %v %v", got, err)
	}
	page := env.get(t, c, "/")
	wantStatus(t, page, http.StatusOK)
	if got := text(one(t, page.doc, "user-role")); !strings.Contains(strings.ToLower(got), "auditor") {
		t.Errorf("user-role %q after the demotion", got)
	}
	if byTestID(page.doc, "sync-now").Length() != 0 {
		t.Error("an auditor is offered the sync button")
	}
}
