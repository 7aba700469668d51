package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
)

// status GETs path on base with c and returns the status code (redirects are not followed) and Location.
func status(t *testing.T, c *http.Client, base, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// post sends a same-origin form to base+path and fails the test on a transport error.
func post(t *testing.T, c *http.Client, base, path string, form url.Values) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func wantSignedOutOn(t *testing.T, c *http.Client, base, what string) {
	t.Helper()
	if code, loc := status(t, c, base, "/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("%s: GET / on the other instance = %d %q, want 303 to /login", what, code, loc)
	}
}

// TestClusterSessions: two instances on one PostgreSQL database, one browser (its cookie is for the host, so it
// goes to both). Signing out on A ends the session on B at the very next request; an admin's role change and
// disabling on A hold on B at the next request. Each B request right before the change warms any cache B has.
func TestClusterSessions(t *testing.T) {
	c := newCluster(t)
	a, b := c.Start(t, nil), c.Start(t, nil)
	browser := a.client(t)
	a.login(t, browser, clusterAdmin, clusterPassword)
	for range 2 {
		if code, _ := status(t, browser, b.URL, "/"); code != http.StatusOK {
			t.Fatalf("B does not take the session A started: GET / = %d", code)
		}
	}
	if code := post(t, browser, a.URL, "/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("POST /logout on A = %d", code)
	}
	wantSignedOutOn(t, browser, b.URL, "after signing out on A")

	// A staff member signed in on B; the admin works on A.
	store, err := db.OpenPostgres(t.Context(), c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hash, err := auth.NewPasswordHasher(4).Hash("staff-password-123")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	staff, err := store.CreateUser(t.Context(), db.User{Email: "staff@example.com", Name: "Sam", Role: db.RoleStaff,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	person := b.client(t)
	b.login(t, person, staff.Email, "staff-password-123")
	admin := a.client(t)
	a.login(t, admin, clusterAdmin, clusterPassword)
	if code, _ := status(t, person, b.URL, "/users"); code != http.StatusForbidden {
		t.Fatalf("staff GET /users on B = %d, want 403", code)
	}
	userPath := "/users/" + strconv.FormatInt(staff.ID, 10)
	if code := post(t, admin, a.URL, userPath, url.Values{"name": {"Sam"}, "role": {"admin"}}); code >= 400 {
		t.Fatalf("admin makes staff an admin on A: %d", code)
	}
	// A role change revokes the person's sessions (they sign in again with the new rights): B must agree at once.
	if code, loc := status(t, person, b.URL, "/users"); code == http.StatusForbidden {
		t.Errorf("after the role change on A, B still answers with the old role (403); Location %q", loc)
	}
	b.login(t, person, staff.Email, "staff-password-123")
	if code, _ := status(t, person, b.URL, "/users"); code != http.StatusOK {
		t.Fatalf("the new admin signed in on B: GET /users = %d, want 200", code)
	}
	if code := post(t, admin, a.URL, userPath, url.Values{"name": {"Sam"}, "role": {"admin"}, "disabled": {"on"}}); code >= 400 {
		t.Fatalf("admin disables the user on A: %d", code)
	}
	wantSignedOutOn(t, person, b.URL, "after A disabled the user")
}
