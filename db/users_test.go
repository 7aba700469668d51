package db

import (
	"testing"
	"time"
)

func TestParseRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"admin", RoleAdmin, false},
		{" Staff ", RoleStaff, false},
		{"INSTALLER", RoleInstaller, false},
		{"auditor", RoleAuditor, false},
		{"root", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRole(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("ParseRole(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
	if len(Roles()) != 4 {
		t.Errorf("Roles() = %v", Roles())
	}
}

func TestCreateAndFindUsers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		ann, err := s.CreateUser(ctx, User{Email: " Ann@Example.com ", Name: "Ann", Role: RoleAdmin, PasswordHash: "h1", CreatedAt: t0})
		must(t, err)
		if ann.ID == 0 || ann.Email != "Ann@Example.com" || !ann.UpdatedAt.Equal(t0) || !ann.PasswordChangedAt.Equal(t0) {
			t.Fatalf("created %+v", ann)
		}
		if _, err := s.CreateUser(ctx, User{Email: "ann@example.COM", Role: RoleStaff}); err == nil {
			t.Fatal("duplicate email (other case) accepted")
		} else {
			wantErr(t, err, ErrConflict)
		}
		bob, err := s.CreateUser(ctx, User{Email: "bob@example.com", Role: RoleStaff, Disabled: true})
		must(t, err)
		if aud, err := s.CreateUser(ctx, User{Email: "aud@example.com", Role: " Auditor"}); err != nil || aud.Role != RoleAuditor {
			t.Fatalf("role spelled loosely: %+v, %v", aud, err)
		}
		for _, bad := range []User{{Email: "x@example.com", Role: "root"}, {Email: "  ", Role: RoleStaff}} {
			if _, err := s.CreateUser(ctx, bad); err == nil {
				t.Errorf("CreateUser(%+v) accepted", bad)
			}
		}

		got, err := s.UserByID(ctx, ann.ID)
		must(t, err)
		if got != ann {
			t.Errorf("UserByID = %+v, want %+v", got, ann)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt location = %v, want UTC", got.CreatedAt.Location())
		}
		got, err = s.UserByEmail(ctx, "ANN@example.com")
		if err != nil || got.ID != ann.ID {
			t.Errorf("UserByEmail = %+v, %v", got, err)
		}
		_, err = s.UserByID(ctx, 999)
		wantErr(t, err, ErrNotFound)
		_, err = s.UserByEmail(ctx, "nobody@example.com")
		wantErr(t, err, ErrNotFound)

		list, err := s.ListUsers(ctx)
		must(t, err)
		if len(list) != 3 || list[0].ID != ann.ID || list[2].ID != bob.ID || !list[2].Disabled {
			t.Errorf("ListUsers = %+v, want ordered by email", list)
		}
		if n, err := s.CountUsers(ctx); n != 3 || err != nil {
			t.Errorf("CountUsers = %d, %v", n, err)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		admin, err := s.CreateUser(ctx, User{Email: "admin@example.com", Role: RoleAdmin})
		must(t, err)
		staff, err := s.CreateUser(ctx, User{Email: "staff@example.com", Role: RoleStaff})
		must(t, err)
		now := time.Now()
		sid := newSession(t, s, staff.ID, now)

		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleInstaller, false))
		got, err := s.UserByID(ctx, staff.ID)
		must(t, err)
		if got.Name != "Sam" || got.Role != RoleInstaller || got.Disabled {
			t.Fatalf("after update: %+v", got)
		}
		if _, _, err := s.SessionUser(ctx, sid, now, time.Hour); err != nil {
			t.Fatalf("a role change must not end sessions: %v", err)
		}
		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleInstaller, true))
		_, _, err = s.SessionUser(ctx, sid, now, time.Hour)
		wantErr(t, err, ErrNotFound)
		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleInstaller, false))
		if _, _, err := s.SessionUser(ctx, sid, now, time.Hour); err == nil {
			t.Fatal("re-enabling a user revived a session revoked when it was disabled")
		}

		wantErr(t, s.UpdateUser(ctx, 999, "x", RoleStaff, false), ErrNotFound)
		if err := s.UpdateUser(ctx, staff.ID, "x", "root", false); err == nil {
			t.Error("unknown role accepted")
		}
		// The only enabled admin can neither be demoted nor disabled…
		wantErr(t, s.UpdateUser(ctx, admin.ID, "", RoleStaff, false), ErrLastAdmin)
		wantErr(t, s.UpdateUser(ctx, admin.ID, "", RoleAdmin, true), ErrLastAdmin)
		// …a disabled admin does not count as another one…
		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleAdmin, false))
		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleAdmin, true))
		wantErr(t, s.UpdateUser(ctx, admin.ID, "", RoleStaff, false), ErrLastAdmin)
		// …but with a second enabled admin the first may step down.
		must(t, s.UpdateUser(ctx, staff.ID, "Sam", RoleAdmin, false))
		must(t, s.UpdateUser(ctx, admin.ID, "", RoleStaff, false))
	})
}

func TestSetPasswordRevokesSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, User{Email: "u@example.com", Role: RoleStaff, PasswordHash: "old", CreatedAt: t0})
		must(t, err)
		other, err := s.CreateUser(ctx, User{Email: "o@example.com", Role: RoleStaff})
		must(t, err)
		now := time.Now()
		s1, s2, keep := newSession(t, s, u.ID, now), newSession(t, s, u.ID, now), newSession(t, s, other.ID, now)

		later := t0.Add(time.Hour)
		must(t, s.SetPassword(ctx, u.ID, "new", later))
		got, err := s.UserByID(ctx, u.ID)
		must(t, err)
		if got.PasswordHash != "new" || !got.PasswordChangedAt.Equal(later) || !got.UpdatedAt.Equal(later) {
			t.Fatalf("after SetPassword: %+v", got)
		}
		for _, id := range []string{s1, s2} {
			_, _, err := s.SessionUser(ctx, id, now, time.Hour)
			wantErr(t, err, ErrNotFound)
		}
		if _, _, err := s.SessionUser(ctx, keep, now, time.Hour); err != nil {
			t.Fatalf("another user's session was revoked: %v", err)
		}
		wantErr(t, s.SetPassword(ctx, 999, "x", later), ErrNotFound)
	})
}

func TestEnsureAdmin(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		created, err := s.EnsureAdmin(ctx, "root@example.com", "Root", "h1", t0)
		must(t, err)
		if created.ID == 0 || created.Role != RoleAdmin || created.Disabled || created.Name != "Root" {
			t.Fatalf("created %+v", created)
		}

		u, err := s.CreateUser(ctx, User{Email: "Boss@example.com", Name: "Boss", Role: RoleStaff, Disabled: true})
		must(t, err)
		now := time.Now()
		// The session is unusable only because the user is disabled: once the reset re-enables the
		// user, only its revocation keeps it dead.
		sid := newSession(t, s, u.ID, now)

		reset, err := s.EnsureAdmin(ctx, "boss@EXAMPLE.com", "", "h2", t0.Add(time.Minute))
		must(t, err)
		if reset.ID != u.ID || reset.Role != RoleAdmin || reset.Disabled || reset.PasswordHash != "h2" ||
			reset.Name != "Boss" || !reset.PasswordChangedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("reset %+v", reset)
		}
		if got, err := s.UserByID(ctx, u.ID); err != nil || got != reset {
			t.Fatalf("stored %+v, %v; returned %+v", got, err, reset)
		}
		_, _, err = s.SessionUser(ctx, sid, now, time.Hour)
		wantErr(t, err, ErrNotFound)

		renamed, err := s.EnsureAdmin(ctx, "boss@example.com", "Big Boss", "h3", t0)
		if err != nil || renamed.Name != "Big Boss" {
			t.Fatalf("rename: %+v, %v", renamed, err)
		}
		if n, _ := s.CountUsers(ctx); n != 2 {
			t.Fatalf("CountUsers = %d, want 2", n)
		}
	})
}
