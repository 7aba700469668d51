package simulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// jwtClaims are the claims of resident tokens; openly reads exp to know when to refresh [CLIENT C-openly].
type jwtClaims struct {
	Sub      string `json:"sub"`
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	TokenUse string `json:"token_use"` // access | id
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// signJWT returns an HS256 JWT of c.
func signJWT(key []byte, c jwtClaims) string {
	payload, _ := json.Marshal(c) // a struct of strings and ints always encodes
	msg := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyJWT checks the signature and algorithm and returns the claims; expiry is the caller's business.
func verifyJWT(key []byte, tok string) (jwtClaims, error) {
	var c jwtClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return c, errors.New("malformed token")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errors.New("malformed signature")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return c, errors.New("bad signature")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errors.New("malformed payload")
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("claims: %w", err)
	}
	return c, nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// residentSub is a stable subject per email (the real one is a Cognito-style uuid).
func residentSub(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	b := sum[:16]
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// residentTokens issues an access and an id token for res.
func (s *Simulator) residentTokens(res Resident) (access, id string) {
	now := s.clock.Now()
	c := jwtClaims{Sub: residentSub(res.Email), Email: res.Email, Name: res.Name, Iat: now.Unix(),
		Exp: now.Add(s.opts.TokenTTL).Unix(), TokenUse: "access"}
	access = signJWT(s.st.JWTKey, c)
	c.TokenUse = "id"
	return access, signJWT(s.st.JWTKey, c)
}

type residentLoginResponse struct {
	Success      bool   `json:"success"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// handleResidentLogin: POST /oauth/token on the resident host [CLIENT C-openly, C-hb-lock; FIXTURE C-openly]. A wrong
// password is HTTP 200 with success:false; a bad body is 400 "Invalid request body".
func (s *Simulator) handleResidentLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil || req.Email == "" || req.Password == "" {
		writeJSON(w, http.StatusBadRequest, failure{Message: "Invalid request body"})
		return
	}
	res, known := s.residents[req.Email]
	if !known || !constantTimeEqual(res.Password, req.Password) {
		writeJSON(w, http.StatusOK, failure{Message: "Incorrect username or password."})
		return
	}
	refresh := secureToken(32)
	s.mu.Lock()
	access, id := s.residentTokens(res)
	s.st.RefreshTokens[tokenKey(refresh)] = res.Email
	s.changed()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, residentLoginResponse{Success: true, AccessToken: access, IDToken: id, RefreshToken: refresh})
}

// handleRefreshToken: POST /api/refreshtoken {"refreshtoken": ...} on the resident host [CLIENT C-openly].
func (s *Simulator) handleRefreshToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refreshtoken"`
	}
	if err := decodeJSON(r, &req); err != nil || req.RefreshToken == "" {
		writeJSON(w, http.StatusBadRequest, failure{Message: "Invalid request body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	email, known := s.st.RefreshTokens[tokenKey(req.RefreshToken)]
	res, exists := s.residents[email]
	if !known || !exists {
		writeJSON(w, http.StatusUnauthorized, failure{Message: "Invalid refresh token"})
		return
	}
	access, id := s.residentTokens(res)
	writeJSON(w, http.StatusOK, residentLoginResponse{Success: true, AccessToken: access, IDToken: id})
}
