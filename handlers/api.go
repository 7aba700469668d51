package handlers

import (
	"net/http"
	"strings"

	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/domain/auth"
)

// apiPrefix is where the read-only JSON API lives. Nothing under it answers HTML.
const apiPrefix = "/api/v1"

// apiRoute is one route of the JSON API: the table is what addAPIRoutes mounts and what TestAPISpecMatchesRoutes
// compares with the OpenAPI document, both ways.
type apiRoute struct {
	method, path string          // path as in the spec: /api/v1/devices/{id}
	cap          auth.Capability // what the token's role must allow
	fn           func(apiDeps) apiFunc
}

// apiDeps are what the API's handlers read.
type apiDeps struct {
	Deps
	tokens *apitoken.Service
}

// apiRoutes is the whole API. Every route is a GET: the API never changes anything.
var apiRoutes = []apiRoute{
	{"GET", apiPrefix + "/properties", auth.ViewPortfolio, apiPropertyList},
	{"GET", apiPrefix + "/properties/{id}", auth.ViewPortfolio, apiProperty},
	{"GET", apiPrefix + "/hubs", auth.ViewPortfolio, apiHubList},
	{"GET", apiPrefix + "/hubs/{id}", auth.ViewPortfolio, apiHub},
	{"GET", apiPrefix + "/devices", auth.ViewPortfolio, apiDeviceList},
	{"GET", apiPrefix + "/devices/{id}", auth.ViewPortfolio, apiDevice},
	{"GET", apiPrefix + "/lock-codes", auth.ManageAccess, apiLockCodeList},
	{"GET", apiPrefix + "/lock-codes/{id}", auth.ManageAccess, apiLockCode},
	{"GET", apiPrefix + "/activities", auth.ViewActivity, apiActivityList},
	{"GET", apiPrefix + "/activities/{id}", auth.ViewActivity, apiActivity},
	{"GET", apiPrefix + "/audit", auth.ViewAudit, apiAuditList},
	{"GET", apiPrefix + "/alerts", auth.ViewPortfolio, apiAlertList},
	{"GET", apiPrefix + "/alerts/{id}", auth.ViewPortfolio, apiAlert},
}

// apiOpenAPIPath serves the spec itself, without a token: it describes the API, it holds no data.
const apiOpenAPIPath = apiPrefix + "/openapi.json"

// addAPIRoutes mounts the JSON API: apiRoutes, the OpenAPI document, and JSON 404/405 for everything else under
// /api/v1. The API reads only the bearer token: no session cookie is looked at, so a signed-in browser cannot be
// made to call it, and it needs no CSRF check (every route is a GET, which http.CrossOriginProtection lets
// through anyway).
func addAPIRoutes(mux *http.ServeMux, d Deps, tokens *apitoken.Service) {
	a := apiDeps{Deps: d, tokens: tokens}
	for _, rt := range apiRoutes {
		mux.Handle(rt.method+" "+rt.path, serveAPI(a, rt))
	}
	mux.Handle("GET "+apiOpenAPIPath, handleOpenAPI())
	mux.Handle(apiPrefix+"/", handleAPINotFound(d))
}

// handleAPINotFound answers every other path under /api/v1 in JSON: 405 for a method the API has none of (it
// only reads), else 404.
func handleAPINotFound(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeAPIError(w, r, d.Logger, apiErr(http.StatusMethodNotAllowed, "method_not_allowed", "The API is read-only: use GET."))
			return
		}
		writeAPIError(w, r, d.Logger, apiErr(http.StatusNotFound, "route_not_found",
			"There is no such API route; the routes are listed in "+apiOpenAPIPath+"."))
	})
}

// bearerToken is the token of an "Authorization: Bearer <token>" header, or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
