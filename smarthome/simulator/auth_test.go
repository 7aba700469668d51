package simulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAgentLogin(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantError   string
	}{
		{"json", "application/json", `{"username":"demo-agent","password":"demo-agent-password","grant_type":"password"}`, 200, ""},
		{"form", "application/x-www-form-urlencoded", url.Values{"username": {"leasing-agent"},
			"password": {"leasing-agent-password"}, "grant_type": {"password"}}.Encode(), 200, ""},
		{"factory flag ignored", "application/json", `{"username":"demo-agent","password":"demo-agent-password","grant_type":"password","factory":true}`, 200, ""},
		{"wrong password", "application/json", `{"username":"demo-agent","password":"nope","grant_type":"password"}`, 401, "invalid_grant"},
		{"unknown user", "application/json", `{"username":"who","password":"nope","grant_type":"password"}`, 401, "invalid_grant"},
		{"missing password", "application/json", `{"username":"demo-agent","grant_type":"password"}`, 400, "invalid_request"},
		{"missing grant_type", "application/json", `{"username":"demo-agent","password":"demo-agent-password"}`, 400, "invalid_request"},
		{"other grant_type", "application/json", `{"username":"demo-agent","password":"demo-agent-password","grant_type":"client_credentials"}`, 400, "invalid_request"},
		{"malformed json", "application/json", `{"username":`, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "POST", e.sim.URL+"/api/agents", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				CreatedAt   int64  `json:"created_at"`
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || got.Error != tt.wantError {
				t.Fatalf("status %d error %q, want %d %q", resp.StatusCode, got.Error, tt.wantStatus, tt.wantError)
			}
			if tt.wantStatus == 200 {
				if len(got.AccessToken) != 64 || got.TokenType != "Bearer" || got.ExpiresIn != 7200 || got.CreatedAt != testStart.Unix() {
					t.Errorf("token answer %+v", got)
				}
			} else if got.Description == "" {
				t.Error("error_description is empty")
			}
		})
	}
}

func TestTokenHeaderForms(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	tok := e.installer()
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"bearer", "Bearer " + tok, 200},
		{"lower-case bearer", "bearer " + tok, 200},
		{"raw token", tok, 200},
		{"missing", "", 401},
		{"unknown token", "Bearer " + strings.Repeat("a", 64), 401},
		{"forged jwt", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", e.sim.URL+"/api/hubs", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestTokensExpire(t *testing.T) {
	t.Parallel()
	e := start(t, Options{TokenTTL: time.Hour})
	agent, resident := e.installer(), e.resident()
	e.call("GET", "/api/hubs", agent, nil, 200, nil)
	e.call("GET", "/api/properties", resident, nil, 200, nil)
	e.advance(time.Hour)
	for name, tok := range map[string]string{"agent": agent, "resident": resident} {
		var got failure
		e.call("GET", "/api/properties", tok, nil, 401, &got)
		if got.Success || !strings.Contains(got.Message, "expired") {
			t.Errorf("%s: %+v, want an expiry message", name, got)
		}
	}
}

// jwtPayload verifies an HS256 JWT independently of the simulator's code and returns its claims.
func jwtPayload(t *testing.T, key []byte, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)); parts[2] != want {
		t.Fatal("JWT signature does not verify")
	}
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if !strings.Contains(string(head), `"HS256"`) {
		t.Errorf("header %s", head)
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, body)
}

func TestResidentLogin(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	var ok struct {
		Success      bool   `json:"success"`
		AccessToken  string `json:"access_token"`
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
	}
	e.call("POST", "/oauth/token", "", map[string]string{"email": "resident@example.com", "password": "resident-password"}, 200, &ok)
	e.sim.mu.Lock()
	key := e.sim.st.JWTKey
	e.sim.mu.Unlock()
	claims := jwtPayload(t, key, ok.AccessToken)
	if claims["email"] != "resident@example.com" || claims["sub"] == "" ||
		int64(claims["exp"].(float64)) != testStart.Add(2*time.Hour).Unix() {
		t.Errorf("claims %v", claims)
	}
	jwtPayload(t, key, ok.IDToken)
	if !ok.Success || ok.RefreshToken == "" {
		t.Fatalf("login answer %+v", ok)
	}

	tests := []struct {
		name    string
		body    string
		status  int
		message string
	}{
		{"wrong password is 200", `{"email":"resident@example.com","password":"x"}`, 200, "Incorrect username or password."},
		{"unknown email is 200", `{"email":"nobody@example.com","password":"x"}`, 200, "Incorrect username or password."},
		{"missing password", `{"email":"resident@example.com"}`, 400, "Invalid request body"},
		{"not json", `email=x`, 400, "Invalid request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got failure
			e.call("POST", "/oauth/token", "", tt.body, tt.status, &got)
			if got.Success || got.Message != tt.message {
				t.Errorf("got %+v, want message %q", got, tt.message)
			}
		})
	}

	t.Run("refresh", func(t *testing.T) {
		var got struct {
			Success     bool   `json:"success"`
			AccessToken string `json:"access_token"`
		}
		e.call("POST", "/api/refreshtoken", "", map[string]string{"refreshtoken": ok.RefreshToken}, 200, &got)
		e.call("GET", "/api/properties", got.AccessToken, nil, 200, nil)
		e.call("POST", "/api/refreshtoken", "", map[string]string{"refreshtoken": "bogus"}, 401, nil)
		e.call("POST", "/api/refreshtoken", "", `{}`, 400, nil)
	})
	t.Run("id token is not an access token", func(t *testing.T) {
		e.call("GET", "/api/properties", ok.IDToken, nil, 401, nil)
	})
}

func TestPropertyToken(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	var got struct {
		AccessToken string `json:"access_token"`
		PropertyID  int64  `json:"property_id"`
	}
	e.call("POST", "/api/properties/101/token", agent, nil, 200, &got)
	if got.PropertyID != 101 || got.AccessToken == "" {
		t.Fatalf("answer %+v", got)
	}
	var props struct {
		Properties []propertyJSON `json:"properties"`
	}
	e.call("GET", "/api/properties", got.AccessToken, nil, 200, &props)
	if len(props.Properties) != 1 || props.Properties[0].ID != 101 {
		t.Errorf("property token sees %+v", props.Properties)
	}
	e.call("GET", "/api/properties/102/devices", got.AccessToken, nil, 403, nil)
	e.call("POST", "/api/properties/101/token", "", map[string]string{"client_id": "demo-agent", "client_secret": "demo-agent-password"}, 200, nil)
	e.call("POST", "/api/properties/101/token", "", map[string]string{"client_id": "demo-agent", "client_secret": "bad"}, 401, nil)
	e.call("POST", "/api/properties/999999/token", agent, nil, 404, nil)
}
