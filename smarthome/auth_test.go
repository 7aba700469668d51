package smarthome

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hubRoute registers a GET /api/hubs/{id} handler that checks the agent bearer token and counts calls.
func hubRoute(t *testing.T, f *fixture) *atomic.Int32 {
	var calls atomic.Int32
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		checkRequest(t, r, nil, "")
		writeJSON(w, http.StatusOK, `{"id": "h1"}`)
	})
	return &calls
}

func TestAgentLogin(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.setLogin(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("the login request carries an Authorization header")
		}
		body, _ := io.ReadAll(r.Body)
		assertJSON(t, body, fmt.Sprintf(`{"username": %q, "password": %q, "grant_type": "password"}`, testUser, testPassword))
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token": %q, "token_type": "Bearer", "created_at": 1}`, testToken))
	})
	hubRoute(t, f)
	for range 3 {
		if _, _, err := f.client.Hubs.Get(t.Context(), "h1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.logins.Load(); n != 1 {
		t.Errorf("logins = %d, want 1 (token cached)", n)
	}
	// No expires_in: the token is assumed good for 2 h and replaced a minute before.
	f.clock.Advance(2*time.Hour - 61*time.Second)
	f.client.Hubs.Get(t.Context(), "h1")
	if n := f.logins.Load(); n != 1 {
		t.Errorf("logins = %d after 1h59m, want 1", n)
	}
	f.clock.Advance(2 * time.Second)
	f.client.Hubs.Get(t.Context(), "h1")
	if n := f.logins.Load(); n != 2 {
		t.Errorf("logins = %d within a minute of expiry, want 2", n)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t) // the default fake login says expires_in 7200
	calls := hubRoute(t, f)
	f.client.Hubs.Get(t.Context(), "h1")
	f.clock.Advance(7200*time.Second - 59*time.Second)
	f.client.Hubs.Get(t.Context(), "h1")
	if f.logins.Load() != 2 || calls.Load() != 2 {
		t.Errorf("logins %d calls %d, want 2 and 2", f.logins.Load(), calls.Load())
	}
}

func TestReloginOnceOn401(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		rejections int32 // leading 401 replies
		wantLogins int32
		wantCalls  int32
		wantErr    error
	}{
		{"token revoked: one re-login", 1, 2, 2, nil},
		{"still 401 after re-login", 5, 2, 2, ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			var calls atomic.Int32
			f.mux.HandleFunc("PUT /api/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
				checkRequest(t, r, nil, `{"commands": {"mode": "lock"}}`)
				if calls.Add(1) <= tt.rejections {
					writeJSON(w, http.StatusUnauthorized, `{"success": false, "message": "Token expired"}`)
					return
				}
				writeJSON(w, http.StatusOK, `{"success": true, "message": "Success"}`)
			})
			_, err := f.client.Devices.Command(t.Context(), "d1", LockCommand(true))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if f.logins.Load() != tt.wantLogins || calls.Load() != tt.wantCalls {
				t.Errorf("logins %d calls %d, want %d and %d", f.logins.Load(), calls.Load(), tt.wantLogins, tt.wantCalls)
			}
		})
	}
}

func TestConcurrentCallersShareOneLogin(t *testing.T) {
	t.Parallel()
	f := setup(t)
	release := make(chan struct{})
	f.setLogin(func(w http.ResponseWriter, r *http.Request) {
		<-release // hold the login open so the callers pile up behind it
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token": %q, "expires_in": 7200}`, testToken))
	})
	calls := hubRoute(t, f)

	// Log in once, then let the token expire.
	close(release)
	if _, _, err := f.client.Hubs.Get(t.Context(), "h1"); err != nil {
		t.Fatal(err)
	}
	release = make(chan struct{})
	f.clock.Advance(3 * time.Hour)

	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, _, err := f.client.Hubs.Get(t.Context(), "h1")
			errs <- err
		})
	}
	waitFor(t, func() bool { return f.logins.Load() == 2 })
	time.Sleep(20 * time.Millisecond) // let the stragglers reach the shared login
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.logins.Load(); n != 2 {
		t.Errorf("logins = %d, want 2 (one at start, one shared by %d callers)", n, callers)
	}
	if n := calls.Load(); n != callers+1 {
		t.Errorf("calls = %d, want %d", n, callers+1)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr error
	}{
		{"invalid grant", http.StatusUnauthorized, `{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"}`, ErrUnauthorized},
		{"bad request", http.StatusBadRequest, `{"error": "invalid_request", "error_description": "missing password"}`, ErrValidation},
		{"no token in reply", http.StatusOK, `{"token_type": "Bearer"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.setLogin(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, tt.body)
			})
			calls := hubRoute(t, f)
			_, _, err := f.client.Hubs.Get(t.Context(), "h1")
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "agent login") || strings.Contains(err.Error(), testPassword) {
				t.Errorf("Error() = %q", err.Error())
			}
			if calls.Load() != 0 || f.logins.Load() != 1 {
				t.Errorf("calls %d logins %d, want 0 and 1", calls.Load(), f.logins.Load())
			}
		})
	}
}

func TestAgentsToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tok, resp, err := f.client.Agents.Token(t.Context())
	if err != nil || tok.AccessToken != testToken || tok.TokenType != "Bearer" || resp.StatusCode != http.StatusOK {
		t.Fatalf("Token = %v, %v, %v", tok, resp, err)
	}
	if want := f.clock.Now().Add(7200 * time.Second); !tok.Expiry.Equal(want) {
		t.Errorf("Expiry = %v, want %v", tok.Expiry, want)
	}
	// Explicit: every call logs in; the result is what later requests use.
	f.client.Agents.Token(t.Context())
	if f.logins.Load() != 2 {
		t.Errorf("logins = %d, want 2", f.logins.Load())
	}
	hubRoute(t, f)
	f.client.Hubs.Get(t.Context(), "h1")
	if f.logins.Load() != 2 {
		t.Errorf("logins = %d after a request, want 2 (cached)", f.logins.Load())
	}

	r := setupResident(t)
	if _, _, err := r.client.Agents.Token(t.Context()); !errors.Is(err, errNoAgentLogin) {
		t.Errorf("resident client: err = %v", err)
	}
}
