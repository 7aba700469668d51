package auth

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestSessionsSharedPostgres: two instances on one PostgreSQL database. A session B has just answered (so a
// cache, were there one, is warm) ends on B the moment A revokes it; a role change or disabling made through A is
// what B's next lookup returns. Fails if B answered from anything but the database.
func TestSessionsSharedPostgres(t *testing.T) {
	t.Parallel()
	stores := pgStores(t, 2)
	ctx, logger := t.Context(), slog.New(slog.DiscardHandler)
	a, b := NewSessions(logger, stores[0], SessionOptions{}), NewSessions(logger, stores[1], SessionOptions{})
	if _, local := stores[1].AuthVersion(); local {
		t.Fatal("a PostgreSQL store claims its AuthVersion sees every writer")
	}
	u, err := stores[0].CreateUser(ctx, db.User{Email: "staff@example.com", Name: "Staff", Role: db.RoleStaff})
	if err != nil {
		t.Fatal(err)
	}
	lookupOnB := func(token string) (db.User, error) {
		t.Helper()
		_, got, err := b.Lookup(ctx, token)
		return got, err
	}
	signIn := func() string {
		t.Helper()
		token, err := a.Start(ctx, u, "192.0.2.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // warm
			if _, err := lookupOnB(token); err != nil {
				t.Fatalf("B does not see A's new session: %v", err)
			}
		}
		return token
	}

	token := signIn()
	if err := a.Revoke(ctx, HashToken(token)); err != nil {
		t.Fatal(err)
	}
	if _, err := lookupOnB(token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("B's lookup after A revoked the session: %v, want db.ErrNotFound", err)
	}

	token = signIn()
	if err := stores[0].UpdateUser(ctx, u.ID, u.Name, db.RoleAuditor, false); err != nil {
		t.Fatal(err)
	}
	if got, err := lookupOnB(token); err != nil || got.Role != db.RoleAuditor {
		t.Errorf("B's lookup after A changed the role: role %q, %v; want %q", got.Role, err, db.RoleAuditor)
	}
	if err := stores[0].UpdateUser(ctx, u.ID, u.Name, db.RoleAuditor, true); err != nil {
		t.Fatal(err)
	}
	if _, err := lookupOnB(token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("B's lookup after A disabled the user: %v, want db.ErrNotFound", err)
	}
}
