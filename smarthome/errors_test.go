package smarthome

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestErrorSentinels(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrValidation, ErrConflict, ErrUnavailable, ErrRejected}
	tests := []struct {
		name   string
		status int
		body   string
		want   error
		msg    string
	}{
		{"400", http.StatusBadRequest, `{"success": false, "message": "Invalid request body"}`, ErrValidation, "Invalid request body"},
		{"401", http.StatusUnauthorized, `{"success": false, "message": "bad token"}`, ErrUnauthorized, "bad token"},
		{"403", http.StatusForbidden, `{"success": false, "message": "Only Hub Installer can reset master code"}`, ErrForbidden, "Only Hub Installer can reset master code"},
		{"404", http.StatusNotFound, `{"success": false, "message": "Hub not found"}`, ErrNotFound, "Hub not found"},
		{"409", http.StatusConflict, `{"success": false, "message": "Hub is offline"}`, ErrConflict, "Hub is offline"},
		{"422", http.StatusUnprocessableEntity, `{"message": ["Email is invalid", "Name is blank"]}`, ErrValidation, "Email is invalid; Name is blank"},
		{"429", http.StatusTooManyRequests, `{"success": false, "message": "Rate Limit exceeded"}`, ErrRateLimited, "Rate Limit exceeded"},
		{"500 text", http.StatusInternalServerError, "  <html>boom</html>\n", ErrUnavailable, "<html>boom</html>"},
		{"502 empty", http.StatusBadGateway, "", ErrUnavailable, ""},
		{"503", http.StatusServiceUnavailable, `{"success": false, "message": "down"}`, ErrUnavailable, "down"},
		{"200 success false", http.StatusOK, `{"success": false, "message": "Email is invalid"}`, ErrRejected, "Email is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, WithRetry(0, time.Millisecond, time.Millisecond))
			f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, tt.body)
			})
			_, _, err := f.client.Hubs.Get(t.Context(), "h1")
			var er *ErrorResponse
			if !errors.As(err, &er) {
				t.Fatalf("err = %v (%T), want *ErrorResponse", err, err)
			}
			if er.StatusCode != tt.status || er.Message != tt.msg {
				t.Errorf("status %d message %q, want %d %q", er.StatusCode, er.Message, tt.status, tt.msg)
			}
			if er.Response == nil || er.Response.StatusCode != tt.status {
				t.Errorf("Response = %v", er.Response)
			}
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if !strings.HasPrefix(err.Error(), "smarthome: GET /api/hubs/h1: ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestErrorResponseText(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/lock_codes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"error": "invalid_token", "error_description": "The access token expired"}`)
	})
	f.mux.HandleFunc("GET /api/hubs/big", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, strings.Repeat("é", 3<<20)) // 6 MiB of text: only 1 MiB is read, 512 bytes kept
	})
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"success": false}`)
	})

	_, _, err := f.client.Hubs.Get(t.Context(), "nope")
	if got, want := err.Error(), "smarthome: GET /api/hubs/nope: 404 Not Found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	_, _, err = f.client.Hubs.Get(t.Context(), "big")
	var er *ErrorResponse
	if !errors.As(err, &er) || len(er.Message) > maxErrorText+len("…") || !strings.HasSuffix(er.Message, "é…") {
		t.Errorf("big body: err %v, message length %d", err, len(er.Message))
	}

	req := LockCodeRequest{Name: "Jane", Code: "482913", ValidityType: ValidityNeverExpires, DeviceID: "d1"}
	_, _, err = f.client.LockCodes.Create(t.Context(), req)
	if !errors.As(err, &er) || er.OAuthError != "invalid_token" || er.OAuthDescription != "The access token expired" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.HasSuffix(err.Error(), "401 Unauthorized: The access token expired") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	t.Parallel()
	const pin = "482913"
	f := setup(t, WithRetry(0, time.Millisecond, time.Millisecond))
	// A careless server echoing the request back: the client must not pass the secrets on.
	f.mux.HandleFunc("POST /api/lock_codes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnprocessableEntity, fmt.Sprintf(`{"success": false, "message": "code %s clashes; token %s; password %s"}`, pin, testToken, testPassword))
	})
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, fmt.Sprintf("token %s", r.Header.Get("Authorization")))
	})
	req := LockCodeRequest{Name: "Jane", Code: pin, ValidityType: ValidityNeverExpires, DeviceID: "d1"}
	_, _, err1 := f.client.LockCodes.Create(t.Context(), req)
	_, _, err2 := f.client.Hubs.Get(t.Context(), "h1")
	err3 := req.Validate()
	bad := req
	bad.Code = "48291x"
	err4 := bad.Validate()
	for i, err := range []error{err1, err2, err3, err4} {
		if i != 2 && err == nil {
			t.Fatalf("error %d is nil", i)
		}
		text := fmt.Sprintf("%v %+v %#v", err, err, err)
		for _, secret := range []string{pin, "48291x", testToken, testPassword} {
			if strings.Contains(text, secret) {
				t.Errorf("error %d discloses %q: %s", i, secret, text)
			}
		}
	}
	var er *ErrorResponse
	if !errors.As(err1, &er) || er.Response.Request.Header.Get("Authorization") != "" {
		t.Error("Response.Request still carries the token")
	}
	if !errors.Is(err1, ErrValidation) || !errors.Is(err4, ErrValidation) {
		t.Errorf("errors lost their sentinel: %v / %v", err1, err4)
	}
}

func TestSecretTypesMaskThemselves(t *testing.T) {
	t.Parallel()
	tok := &Token{AccessToken: testToken, RefreshToken: "refresh-secret", TokenType: "Bearer", Expiry: time.Unix(0, 0)}
	lc := LockCode{ID: "c1", Code: "482913"}
	slots := CodeSlots{"1": Ptr(PIN("482913")), "2": nil}
	creds := CognitoCredentials{IdentityID: "us-east-1:x", Token: "cognito-secret"}
	text := fmt.Sprintf("%v %+v %#v %v %+v %#v %v %v %s", tok, tok, tok, lc, lc, lc, slots, creds, PIN("482913"))
	for _, secret := range []string{testToken, "refresh-secret", "482913", "cognito-secret"} {
		if strings.Contains(text, secret) {
			t.Errorf("formatted text discloses %q: %s", secret, text)
		}
	}
	if PIN("482913").Reveal() != "482913" || PIN("").String() != "" {
		t.Error("Reveal or empty PIN broken")
	}
}

// TestScrubSharedErrorIsRaceFree reproduces the sync's parallel hub fetches: a login that fails once is shared by
// every caller waiting on it, and each caller scrubs the error it received. Under -race this reported a data race
// while scrub rewrote the shared *ErrorResponse in place.
func TestScrubSharedErrorIsRaceFree(t *testing.T) {
	t.Parallel()
	f := setup(t, WithRetry(0, time.Millisecond, time.Millisecond))
	release := make(chan struct{})
	f.setLogin(func(w http.ResponseWriter, r *http.Request) {
		<-release // hold the login so every caller joins the same flight
		writeJSON(w, http.StatusUnauthorized, fmt.Sprintf(`{"error": "invalid_grant", "error_description": "bad password %s"}`, testPassword))
	})
	hubRoute(t, f)
	const callers = 8
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { _, _, errs[i] = f.client.Hubs.Get(t.Context(), "h1") })
	}
	time.Sleep(20 * time.Millisecond) // let the callers queue on the flight; correctness does not depend on it
	close(release)
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("caller %d: err = %v, want unauthorized", i, err)
		}
		if text := fmt.Sprintf("%v %+v", err, err); strings.Contains(text, testPassword) {
			t.Errorf("caller %d: error discloses the password: %s", i, text)
		}
	}
}

// TestScrubLeavesTheOriginalAlone checks the rule that makes sharing safe: scrub returns a masked copy and never
// writes to the error value it was given.
func TestScrubLeavesTheOriginalAlone(t *testing.T) {
	t.Parallel()
	orig := &ErrorResponse{StatusCode: 422, Message: "code 482913 clashes"}
	wrapped := fmt.Errorf("smarthome: create: %w", orig)
	var wg sync.WaitGroup
	out := make([]error, 16)
	for i := range out {
		wg.Go(func() { out[i] = scrub(wrapped, "482913") })
	}
	wg.Wait()
	if orig.Message != "code 482913 clashes" {
		t.Errorf("original rewritten: %q", orig.Message)
	}
	for _, err := range out {
		var e *ErrorResponse
		if !errors.As(err, &e) || e.Message != "code [redacted] clashes" || !errors.Is(err, ErrValidation) {
			t.Fatalf("scrubbed = %#v", err)
		}
		if got := err.Error(); got != "smarthome: create: smarthome: 422 Unprocessable Entity: code [redacted] clashes" {
			t.Errorf("Error() = %q", got)
		}
	}
	if got := scrub(wrapped, "nothing-secret"); got != wrapped {
		t.Errorf("an error with no secret in it was replaced: %v", got)
	}
}
