package smarthome

import (
	"encoding/base64"
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

// jwt builds an unsigned token with the given exp claim; the client only reads exp.
func jwt(exp int64) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(fmt.Sprintf(`{"sub":"r1","exp":%d}`, exp))) + ".sig"
}

func TestResidentLogin(t *testing.T) {
	t.Parallel()
	f := setupResident(t)
	exp := f.clock.Now().Add(time.Hour).Unix()
	first, second := jwt(exp), jwt(exp+3600)
	var logins, refreshes atomic.Int32
	f.root.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		logins.Add(1)
		body, _ := io.ReadAll(r.Body)
		assertJSON(t, body, `{"email": "resident@example.com", "password": "pw-resident"}`)
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"success": true, "access_token": %q, "id_token": "x", "refresh_token": "rt-1"}`, first))
	})
	f.root.HandleFunc("POST /api/refreshtoken", func(w http.ResponseWriter, r *http.Request) {
		refreshes.Add(1)
		body, _ := io.ReadAll(r.Body)
		assertJSON(t, body, `{"refreshtoken": "rt-1"}`)
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"success": true, "access_token": %q}`, second))
	})
	var seen []string
	var mu sync.Mutex
	f.mux.HandleFunc("GET /api/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, http.StatusOK, `{"id": "d1", "device_type": "lock"}`)
	})
	f.client.Devices.Get(t.Context(), "d1")
	f.clock.Advance(59 * time.Minute) // the JWT's exp is 1 h away: now inside the refresh margin
	f.client.Devices.Get(t.Context(), "d1")
	if logins.Load() != 1 || refreshes.Load() != 1 {
		t.Errorf("logins %d refreshes %d, want 1 and 1", logins.Load(), refreshes.Load())
	}
	if len(seen) != 2 || seen[0] != first || seen[1] != second {
		t.Errorf("Authorization headers = %q, want the raw JWTs without Bearer", seen)
	}
	if f.logins.Load() != 0 {
		t.Error("a resident client called the agent login")
	}
}

func TestResidentLoginRejected(t *testing.T) {
	t.Parallel()
	f := setupResident(t)
	f.root.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		// The resident host answers a wrong password with HTTP 200.
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Incorrect username or password."}`)
	})
	_, _, err := f.client.Devices.Get(t.Context(), "d1")
	if !errors.Is(err, ErrUnauthorized) || !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v, want ErrUnauthorized and ErrRejected", err)
	}
	if !strings.Contains(err.Error(), "Incorrect username or password.") || strings.Contains(err.Error(), "pw-resident") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestResidentRefreshFailureFallsBackToLogin(t *testing.T) {
	t.Parallel()
	f := setupResident(t)
	var logins atomic.Int32
	f.root.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		logins.Add(1)
		writeJSON(w, http.StatusOK, `{"success": true, "access_token": "opaque-token", "refresh_token": "rt"}`)
	})
	f.root.HandleFunc("POST /api/refreshtoken", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Invalid refresh token"}`)
	})
	f.mux.HandleFunc("GET /api/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id": "d1"}`)
	})
	f.client.Devices.Get(t.Context(), "d1")
	f.clock.Advance(2 * time.Hour) // not a JWT, no expires_in: assumed 2 h
	if _, _, err := f.client.Devices.Get(t.Context(), "d1"); err != nil {
		t.Fatal(err)
	}
	if logins.Load() != 2 {
		t.Errorf("logins = %d, want 2", logins.Load())
	}
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{"exp", jwt(1800000000), time.Unix(1800000000, 0)},
		{"opaque", testToken, time.Time{}},
		{"bad base64", "a.!!!.c", time.Time{}},
		{"no exp", "e30.e30.sig", time.Time{}},
		{"string exp", "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":"soon"}`)) + ".s", time.Time{}},
	}
	for _, tt := range tests {
		if got := jwtExpiry(tt.token); !got.Equal(tt.want) {
			t.Errorf("%s: jwtExpiry = %v, want %v", tt.name, got, tt.want)
		}
	}
}
