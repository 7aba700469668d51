package handlers

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDoc is the API's OpenAPI 3.1 document, written by hand: TestAPISpecMatchesRoutes fails when it and
// apiRoutes disagree on a path or a method.
//
//go:embed api_openapi.json
var openAPIDoc []byte

// handleOpenAPI serves the document to anyone: it describes the API and holds no data.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Content-Length", strconv.Itoa(len(openAPIDoc)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(openAPIDoc)
	})
}
