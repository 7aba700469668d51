package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
)

// handleHealthz answers 200 while the database answers and could take a write, 503 otherwise (reads keep working
// on a full or read-only disk, so a read alone would report a dashboard that cannot store a webhook as healthy).
func handleHealthz(store *db.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		if err := store.WriteCheck(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database cannot write: " + db.StorageProblem(err) + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n" + journalDetail(ctx, store)))
	})
}

// journalDetail is /healthz's line on the webhook projection's lag: detail for an operator, never the status (a
// lag is not an outage: deliveries are durable and acknowledged). Empty when the lag cannot be read.
func journalDetail(ctx context.Context, store *db.Store) string {
	lag, err := store.JournalLag(ctx)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("journal: %d waiting, oldest %.1fs\n", lag.Waiting, lag.Age(time.Now()).Seconds())
}

// handleNotFound renders the 404 page for every path no route claims, signed in or not.
func handleNotFound(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, err := d.Sessions.load(r); err == nil && p != nil { // the 404 page keeps the signed-in layout
			r = r.WithContext(withUser(r.Context(), p))
		}
		serveError(w, r, d.Logger, notFound())
	})
}
