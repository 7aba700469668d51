package simulator

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// principal is who a request acts for.
type principal struct {
	kind       string // agent | resident | property
	agent      Agent
	email      string
	propertyID int64 // resident and property tokens: the one property they may see
}

const (
	kindAgent    = "agent"
	kindResident = "resident"
	kindProperty = "property"
)

func (p principal) isAgent() bool { return p.kind == kindAgent }

// company is the company whose hubs the principal may see; residents see through their property instead.
func (p principal) company() string {
	if p.agent.Company == "" {
		return demoCompany
	}
	return p.agent.Company
}

func (p principal) hasRole(role string) bool {
	return p.isAgent() && slices.Contains(p.agent.Roles, role)
}

// authenticate resolves the Authorization header: "Bearer <t>" or the raw token, as residents' apps send it
// [CLIENT C-openly, C-ha-scripts]. Callers hold s.mu.
func (s *Simulator) authenticate(r *http.Request) (principal, error) {
	tok := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, found := strings.Cut(tok, " "); found && strings.EqualFold(scheme, "bearer") {
		tok = strings.TrimSpace(rest)
	}
	if tok == "" {
		return principal{}, errf(http.StatusUnauthorized, "Authorization token is missing")
	}
	now := s.clock.Now()
	if strings.Count(tok, ".") == 2 {
		return s.residentFromJWT(tok, now)
	}
	key := tokenKey(tok)
	if t, ok := s.st.AgentTokens[key]; ok {
		return s.agentPrincipal(key, t, now, s.st.AgentTokens)
	}
	if t, ok := s.st.PropertyTokens[key]; ok {
		p, err := s.agentPrincipal(key, t, now, s.st.PropertyTokens)
		p.kind, p.propertyID = kindProperty, t.PropertyID
		return p, err
	}
	return principal{}, errf(http.StatusUnauthorized, "Invalid access token")
}

func (s *Simulator) agentPrincipal(key string, t agentToken, now time.Time, from map[string]agentToken) (principal, error) {
	if !now.Before(t.Expires) {
		delete(from, key)
		return principal{}, errf(http.StatusUnauthorized, "Access token has expired")
	}
	a, ok := s.agents[t.Username]
	if !ok { // the account was removed (a restart with other Options)
		return principal{}, errf(http.StatusUnauthorized, "Invalid access token")
	}
	return principal{kind: kindAgent, agent: a}, nil
}

// residentFromJWT verifies a resident access token and binds it to the resident's property.
func (s *Simulator) residentFromJWT(tok string, now time.Time) (principal, error) {
	c, err := verifyJWT(s.st.JWTKey, tok)
	if err != nil || c.TokenUse != "access" {
		return principal{}, errf(http.StatusUnauthorized, "Invalid access token")
	}
	if now.Unix() >= c.Exp {
		return principal{}, errf(http.StatusUnauthorized, "Access token has expired")
	}
	res, ok := s.residents[c.Email]
	if !ok {
		return principal{}, errf(http.StatusUnauthorized, "Invalid access token")
	}
	return principal{kind: kindResident, email: res.Email, propertyID: s.residentProperty(res)}, nil
}

// residentProperty is the resident's property: the configured one, or the first of the portfolio.
func (s *Simulator) residentProperty(r Resident) int64 {
	if r.PropertyID != 0 {
		return r.PropertyID
	}
	if props := s.st.idx().sortedProps; len(props) > 0 {
		return props[0].ID
	}
	return 0
}

// loginRequest is the agent login body, JSON or form-encoded [DOC D-login, CLIENT C-factory].
type loginRequest struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	GrantType string `json:"grant_type"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

type agentTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	CreatedAt   int64  `json:"created_at"`
}

// handleAgentLogin: POST /api/agents [DOC D-login; CLIENT C-factory]; failures in Doorkeeper's OAuth2 shape.
func (s *Simulator) handleAgentLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "The request body could not be parsed."})
			return
		}
		req = loginRequest{r.PostForm.Get("username"), r.PostForm.Get("password"), r.PostForm.Get("grant_type")}
	} else if err := decodeJSON(r, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "The request body could not be parsed."})
		return
	}
	switch {
	case req.Username == "" || req.Password == "" || req.GrantType == "":
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request",
			"The request is missing a required parameter (username, password or grant_type)."})
		return
	case req.GrantType != "password":
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Only grant_type=password is supported."})
		return
	}
	a, known := s.agents[req.Username]
	if !known || !constantTimeEqual(a.Password, req.Password) {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_grant", "The provided authorization grant is invalid, " +
			"expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
		return
	}
	tok := secureToken(32) // 64 hex characters, like the documented example token
	s.mu.Lock()
	now := s.clock.Now()
	purgeExpired(s.st.AgentTokens, now)
	s.st.AgentTokens[tokenKey(tok)] = agentToken{Username: a.Username, Expires: now.Add(s.opts.TokenTTL)}
	s.changed()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, agentTokenResponse{tok, "Bearer", int64(s.opts.TokenTTL / time.Second), now.Unix()})
}

func purgeExpired(m map[string]agentToken, now time.Time) {
	for k, t := range m {
		if !now.Before(t.Expires) {
			delete(m, k)
		}
	}
}

// handlePropertyToken: POST /api/properties/{id}/token [CLIENT C-sdk], stub. An agent Bearer token, or an agent's
// username/password as client_id/client_secret, buys a token scoped to one property.
func (s *Simulator) handlePropertyToken(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id, err := pathInt(r, "id", "Property")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, authErr := s.authenticate(r)
	if authErr != nil || !p.isAgent() {
		a, known := s.agents[body.ClientID]
		if !known || body.ClientSecret == "" || !constantTimeEqual(a.Password, body.ClientSecret) {
			return errf(http.StatusUnauthorized, "Invalid client credentials")
		}
	}
	if s.st.Properties[id] == nil {
		return notFound("Property not found")
	}
	tok, now := secureToken(32), s.clock.Now()
	purgeExpired(s.st.PropertyTokens, now)
	s.st.PropertyTokens[tokenKey(tok)] = agentToken{Username: cmpOrString(p.agent.Username, body.ClientID),
		PropertyID: id, Expires: now.Add(s.opts.TokenTTL)}
	s.changed()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int64(s.opts.TokenTTL / time.Second), "property_id": id})
	return nil
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
