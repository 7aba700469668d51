package simulator

import "net/http"

// access is who may call a route.
type access int

const (
	public     access = iota // no token (logins)
	anyone                   // any valid token: agent, resident or property token
	agentsOnly               // residents and property tokens get 403
)

// apiHandler serves one route for an authenticated principal; a returned error becomes the error envelope.
type apiHandler func(w http.ResponseWriter, r *http.Request, p principal) error

// routes maps the whole API surface. Documented routes are here; every inferred one is in guessedRoutes (guessed.go).
func (s *Simulator) routes() {
	// Auth [DOC D-login; CLIENT C-openly, C-sdk]. The resident host shares this server.
	s.mux.Handle("POST /api/agents", s.withFaults("POST /api/agents", http.HandlerFunc(s.handleAgentLogin)))
	s.mux.Handle("POST /oauth/token", s.withFaults("POST /oauth/token", http.HandlerFunc(s.handleResidentLogin)))
	s.mux.Handle("POST /api/refreshtoken", s.withFaults("POST /api/refreshtoken", http.HandlerFunc(s.handleRefreshToken)))
	s.handle("POST /api/properties/{id}/token", public, func(w http.ResponseWriter, r *http.Request, _ principal) error {
		return s.handlePropertyToken(w, r)
	})

	// Properties [CLIENT C-hb-lock]
	s.handle("GET /api/properties", anyone, s.handlePropertyList)
	s.handle("GET /api/properties/{id}/devices", anyone, s.handlePropertyDevices)
	s.handle("GET /api/properties/{id}/assetsDeviceDetails", anyone, s.handlePropertyAssets)

	// Hubs [CLIENT C-openly; DOC D-hubact; CLIENT C-mqttdemo]
	s.handle("GET /api/hubs", anyone, s.handleHubList)
	s.handle("GET /api/hubs/{id}", anyone, s.handleHubDetail)
	s.handle("GET /api/hubs/{id}/devices", anyone, s.handleHubDevices)
	s.handle("GET /api/hubs/{id}/desired_activities", agentsOnly, s.handleHubActivities)
	s.handle("GET /api/hubs/{id}/get_cognito_credentials", anyone, s.handleCognito)

	// Devices [CLIENT C-openly, C-hb-lock, C-hb-thermo]
	s.handle("GET /api/devices/{id}", anyone, s.handleDeviceGet)
	s.handle("PUT /api/devices/{id}", anyone, s.handleDevicePut)

	// Lock codes and one-off codes [DOC D-createlockcode, D-hubunlock, D-unlock, D-unlock2]
	s.handle("POST /api/lock_codes", agentsOnly, s.handleLockCodeCreate)
	s.handle("POST /api/hubs/mls_unlock", agentsOnly, s.handleHubUnlock)
	s.handle("POST /api/lockboxes/mls_unlock", agentsOnly, s.handleLockboxUnlock)
	s.handle("POST /api/v2/mls_unlock", agentsOnly, s.handleUnlockV2)

	// Invitations and move-out [DOC D-invite, D-moveout]
	s.handle("POST /api/v2/invitations", agentsOnly, s.handleInvitationCreate)
	s.handle("DELETE /api/properties/{id}/remove_invitations", agentsOnly, s.handleMoveOut)

	if !s.opts.DisableGuessed {
		for _, g := range s.guessedRoutes() {
			s.handle(g.pattern, g.access, g.h)
		}
	}
	if s.opts.Control {
		s.controlRoutes()
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, notFound("Not Found")) })
}

// handle registers pattern behind fault injection and authentication.
func (s *Simulator) handle(pattern string, acc access, h apiHandler) {
	s.mux.Handle(pattern, s.withFaults(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p principal
		if acc != public {
			s.mu.Lock()
			var err error
			p, err = s.authenticate(r)
			s.mu.Unlock()
			if err != nil {
				writeError(w, err)
				return
			}
			if acc == agentsOnly && !p.isAgent() {
				writeError(w, forbidden("This resource is only available to agents"))
				return
			}
		}
		if err := h(w, r, p); err != nil {
			writeError(w, err)
		}
	})))
}
