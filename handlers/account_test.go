package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
)

func TestAccountPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, role := range roles {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			res := env.get(t, env.signedInClient(t, role), "/account")
			wantStatus(t, res, http.StatusOK)
			one(t, res.doc, "password-form")
			if got := text(one(t, res.doc, "user-name")); got != env.users[role].Name {
				t.Errorf("user-name %q, want %q", got, env.users[role].Name)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q", got)
			}
		})
	}
}

func TestChangePasswordValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	u := env.users[db.RoleInstaller]
	tests := []struct {
		name                   string
		current, next, confirm string
		msg                    string
	}{
		{"wrong current password", "not-my-password", "another-password", "another-password", "current password is not right"},
		{"empty current password", "", "another-password", "another-password", "current password is not right"},
		{"confirmation differs", u.password, "another-password", "another-passwore", "differ"},
		{"same as current", u.password, u.password, u.password, "differs from the current one"},
		{"too short", u.password, "short", "short", "at least 10"},
		{"too long", u.password, strings.Repeat("x", 73), strings.Repeat("x", 73), "at most 72"},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				c := env.signedInClient(t, db.RoleInstaller)
				res := env.postForm(t, c, "/account/password", url.Values{"current_password": {tt.current},
					"new_password": {tt.next}, "confirm_password": {tt.confirm}})
				wantStatus(t, res, http.StatusUnprocessableEntity)
				if msg := text(one(t, res.doc, "account-error")); !strings.Contains(msg, tt.msg) {
					t.Errorf("account-error %q, want %q", msg, tt.msg)
				}
				for _, pw := range []string{tt.current, tt.next} {
					if len(pw) >= auth.MinPassword && strings.Contains(res.body, pw) {
						t.Errorf("the page echoes a password")
					}
				}
				if len(res.header.Values("Set-Cookie")) != 0 {
					t.Error("a refused change replaced the session")
				}
				wantStatus(t, env.get(t, c, "/account"), http.StatusOK) // still signed in
				stored, err := env.store.UserByID(t.Context(), u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !env.hasher.Compare(stored.PasswordHash, u.password) {
					t.Error("the password changed")
				}
			})
		}
	})
	t.Run("each refusal is audited", func(t *testing.T) {
		entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "password.change", TargetID: u.Email})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(tests) {
			t.Errorf("%d audit rows for %d refused changes", len(entries), len(tests))
		}
		for _, e := range entries {
			if e.Outcome != db.OutcomeDenied {
				t.Errorf("audit %+v, want only denied", e)
			}
			for _, tt := range tests {
				if len(tt.next) >= auth.MinPassword && strings.Contains(e.Detail, tt.next) {
					t.Errorf("audit detail %q carries a password", e.Detail)
				}
			}
		}
	})
}
