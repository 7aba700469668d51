package handlers

import "net/http"

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// wantsPage reports whether an htmx request still needs a whole page: boosted navigation and history restores do.
func wantsPage(r *http.Request) bool {
	return r.Header.Get("HX-Boosted") == "true" || r.Header.Get("HX-History-Restore-Request") == "true"
}
