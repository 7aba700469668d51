package views

import "testing"

func TestLoginPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      LoginData
		wantError bool
	}{
		{"fresh", LoginData{Next: "/hubs/h-1"}, false},
		{"failed", LoginData{Email: "dana@example.com", Error: "Wrong email or password.", Next: "/"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, LoginPage(tt.data))
			form := one(t, doc, "login-form")
			if attr(t, form, "method") != "post" || attr(t, form, "action") != "/login" {
				t.Error("form does not POST /login")
			}
			email, pw := one(t, doc, "login-email"), one(t, doc, "login-password")
			if attr(t, email, "name") != "email" || attr(t, email, "type") != "email" || attr(t, email, "autocomplete") != "username" {
				t.Error("email field")
			}
			if attr(t, email, "value") != tt.data.Email {
				t.Errorf("email value = %q", email.AttrOr("value", ""))
			}
			if attr(t, pw, "name") != "password" || attr(t, pw, "type") != "password" || attr(t, pw, "autocomplete") != "current-password" {
				t.Error("password field")
			}
			if _, ok := pw.Attr("value"); ok {
				t.Error("password field has a value")
			}
			if next := form.Find(`input[type="hidden"][name="next"]`); next.AttrOr("value", "") != tt.data.Next {
				t.Errorf("next = %q", next.AttrOr("value", ""))
			}
			if got := byTestID(doc, "login-error").Length() == 1; got != tt.wantError {
				t.Errorf("error shown = %v", got)
			}
			if doc.Find("nav").Length() != 0 || byTestID(doc, "logout").Length() != 0 {
				t.Error("sign-in page has navigation")
			}
			if doc.Find(`meta[name="htmx-config"]`).Length() != 1 || doc.Find("title").Text() != "Sign in · Smart Home" {
				t.Error("sign-in page head")
			}
		})
	}
}

func TestAccountPage(t *testing.T) {
	t.Parallel()
	doc := render(t, AccountPage(signedIn(NavAccount, false), AccountData{Error: "The current password is wrong."}))
	form := one(t, doc, "password-form")
	if attr(t, form, "method") != "post" || attr(t, form, "action") != "/account/password" {
		t.Error("form does not POST /account/password")
	}
	for id, name := range map[string]string{"current-password": "current_password", "new-password": "new_password", "confirm-password": "confirm_password"} {
		f := one(t, doc, id)
		if attr(t, f, "name") != name || attr(t, f, "type") != "password" {
			t.Errorf("%s: name=%q", id, f.AttrOr("name", ""))
		}
	}
	assertText(t, doc, "account-error", "The current password is wrong.")
	if byTestID(doc, "account-ok").Length() != 0 {
		t.Error("ok message without success")
	}
	if attr(t, one(t, doc, "user-badge"), "aria-current") != "page" {
		t.Error("account link not current")
	}
	// Only the three password fields are submitted; the username hint for password managers has no name.
	if n := form.Find("input[name]").Length(); n != 3 {
		t.Errorf("%d named inputs, want 3", n)
	}
}

func TestUsersPage(t *testing.T) {
	t.Parallel()
	roles := []string{"admin", "leasing", "installer", "auditor"}
	d := UsersData{
		Users: []UserRowData{
			{ID: "1", Email: "dana@example.com", Name: "Dana", Role: "admin", Self: true, Roles: roles},
			{ID: "2", Email: "lee@example.com", Name: "Lee", Role: "retired_role", Disabled: true, Roles: roles, Error: "Name is required."},
		},
		Roles: roles,
		Form:  UserFormData{Email: "new@example.com", Name: "New", Role: "auditor"},
		Error: "That email is already in use.",
	}
	doc := render(t, UsersPage(signedIn(NavUsers, true), d))
	create := one(t, doc, "user-create-form")
	if attr(t, create, "method") != "post" || attr(t, create, "action") != "/users" {
		t.Error("create form does not POST /users")
	}
	for name, value := range map[string]string{"email": "new@example.com", "name": "New"} {
		if got := create.Find(`input[name="`+name+`"]`).AttrOr("value", "?"); got != value {
			t.Errorf("create %s = %q", name, got)
		}
	}
	if create.Find(`input[name="password"][type="password"]`).Length() != 1 {
		t.Error("create form has no password field")
	}
	if got := create.Find(`select[name="role"] option[selected]`).AttrOr("value", ""); got != "auditor" {
		t.Errorf("create role = %q", got)
	}
	assertText(t, doc, "user-create-error", "That email is already in use.")

	rows := byTestID(doc, "user-row")
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	first, second := rows.First(), rows.Eq(1)
	if first.AttrOr("id", "") != "user-1" || first.Find(`[data-testid="user-self"]`).Length() != 1 {
		t.Error("first row id or self badge")
	}
	form := first.Find(`form[data-testid="user-edit-form"]`)
	if form.AttrOr("action", "") != "/users/1" || form.AttrOr("hx-post", "") != "/users/1" || form.AttrOr("method", "") != "post" ||
		form.AttrOr("hx-target", "") != "#user-1" || form.AttrOr("hx-swap", "") != "outerHTML" {
		t.Errorf("edit form attributes: %v", form.Nodes[0].Attr)
	}
	formID := form.AttrOr("id", "")
	for _, name := range []string{"name", "role", "disabled"} {
		field := first.Find(`[name="` + name + `"]`)
		if field.Length() != 1 || field.AttrOr("form", "") != formID {
			t.Errorf("row field %s is not part of form %q", name, formID)
		}
	}
	if _, checked := second.Find(`input[name="disabled"]`).Attr("checked"); !checked {
		t.Error("disabled user's checkbox not checked")
	}
	if got := second.Find(`select[name="role"] option[selected]`).AttrOr("value", ""); got != "retired_role" {
		t.Errorf("a role outside the list is lost: %q", got)
	}
	if text(second.Find(`[data-testid="user-row-error"]`)) != "Name is required." {
		t.Error("row error")
	}

	t.Run("row fragment", func(t *testing.T) {
		t.Parallel()
		doc := renderRow(t, UserRow(UserRowData{ID: "9", Email: "x@example.com", Name: "X", Role: "leasing", Roles: roles, Saved: true}))
		row := one(t, doc, "user-row")
		if row.AttrOr("id", "") != "user-9" {
			t.Errorf("row id = %q", row.AttrOr("id", ""))
		}
		one(t, doc, "user-row-saved")
	})
}
