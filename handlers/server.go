// Package handlers is the dashboard's HTTP surface: it parses requests, authorises them, calls the store or the
// upstream, and renders views. routes.go lists every route.
package handlers

import (
	"log/slog"
	"net/http"

	"github.com/keyless/dashboard/db"
)

// Options are the server settings that come from configuration.
type Options struct {
	WebhookSecrets []string // empty: every delivery is accepted, and the home page says so
	SecureCookies  bool
}

// Deps are the server's collaborators, built once in cmd/web.
type Deps struct {
	Logger   *slog.Logger
	Store    *db.Store
	Sessions *Sessions
	Hasher   *PasswordHasher
	Syncer   *Syncer
}

// NewServer returns the root handler with all middleware applied.
func NewServer(d Deps, opts Options) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, d, opts)
	var h http.Handler = mux
	h = securityHeaders(opts.SecureCookies, h)
	h = http.NewCrossOriginProtection().Handler(h) // cross-site form posts get 403; webhooks (no browser headers) pass
	h = logRequests(d.Logger, h)                   // sees CSRF rejections too
	return recoverPanics(d.Logger, h)              // outermost
}
