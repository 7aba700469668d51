package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/static"
)

// addRoutes is the whole HTTP surface on one screen.
func addRoutes(mux *http.ServeMux, d Deps, opts Options) {
	s := d.Sessions
	view := func(h http.Handler) http.Handler { return s.require(capViewPortfolio, h) }
	attempts := newLoginAttempts()

	// Health, assets, sign-in
	mux.Handle("GET /healthz", handleHealthz(d.Store))
	mux.Handle("GET /static/", static.Handler())
	mux.Handle("GET /login", handleLoginForm(s))
	mux.Handle("POST /login", handleLogin(s, attempts, d.Hasher))
	mux.Handle("POST /logout", s.signedIn(handleLogout(s)))
	mux.Handle("GET /account", s.signedIn(handleAccount(s)))
	mux.Handle("POST /account/password", s.signedIn(handleChangePassword(s, d.Hasher)))

	// Portfolio, read from the mirror
	mux.Handle("GET /{$}", view(handleHome(d, opts)))
	mux.Handle("GET /properties", view(handlePropertyList(d)))
	mux.Handle("GET /properties/{id}", view(handleProperty(d)))
	mux.Handle("GET /hubs", view(handleHubList(d)))
	mux.Handle("GET /hubs/{id}", view(handleHub(d)))
	mux.Handle("GET /devices/{id}", view(handleDevice(d)))
	mux.Handle("POST /sync", s.require(capSync, handleSyncNow(d)))
	mux.Handle("GET /sync", view(handleSyncStatus(d)))

	// Live updates
	mux.Handle("GET /events", s.require(capViewPortfolio, handleEvents(d)))

	// People
	mux.Handle("GET /users", s.require(capManageUsers, handleUsers(s)))
	mux.Handle("POST /users", s.require(capManageUsers, handleUserCreate(s, d.Hasher)))
	mux.Handle("POST /users/{id}", s.require(capManageUsers, handleUserUpdate(s)))

	// routes: feature blocks go above this line, one block per feature, each under a short comment

	mux.Handle("/", handleNotFound(d))
}
