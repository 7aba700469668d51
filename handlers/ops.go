package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/metrics"
)

// handleMetrics serves GET /metrics on the public listener: only with Options.MetricsToken set and the request
// carrying "Authorization: Bearer <token>"; otherwise it answers the 404 page, as for a path nobody serves, so a
// scanner learns nothing. (METRICS_ADDR serves the same registry on a listener of its own, without a token.)
func handleMetrics(d Deps, token string) http.Handler {
	serve, missing := d.Metrics.Handler(), handleNotFound(d)
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := bearerToken(r)             // the API's reading of the header: the scheme in any case, the token trimmed
		sum := sha256.Sum256([]byte(got)) // compared as digests: the time taken says nothing of the token's length
		if token == "" || got == "" || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			missing.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		serve.ServeHTTP(w, r)
	})
}

// instrument registers the gauges read at each scrape from what the server's collaborators already count.
func instrument(d Deps) {
	m := d.Metrics
	if b := d.Broker; b != nil {
		m.Gauge("dashboard_sse_subscribers", "Open live (SSE) streams.", func() float64 { return float64(b.Stats().Subscribers) })
		m.Counter("dashboard_sse_dropped_events_total", "Live event copies dropped because a subscriber's queue was full.",
			func() float64 { return float64(b.Stats().Dropped) })
		m.Counter("dashboard_sse_slow_clients_total", "Live subscribers disconnected for being too slow.",
			func() float64 { return float64(b.Stats().Kicked) })
	}
	if s := d.Store; s != nil {
		// Both gauges come from one JournalLag read (a count over the journal) per scrape: a read under a second
		// old is shared.
		var mu sync.Mutex
		var last db.JournalLag
		var lastErr error
		var readAt time.Time
		lag := func(f func(waiting int, age time.Duration) float64) func() float64 {
			return func() float64 {
				mu.Lock()
				defer mu.Unlock()
				if time.Since(readAt) >= time.Second {
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					last, lastErr = s.JournalLag(ctx)
					cancel()
					readAt = time.Now()
				}
				if lastErr != nil {
					return -1
				}
				return f(last.Waiting, last.Age(time.Now()))
			}
		}
		m.Gauge("dashboard_journal_waiting", "Webhook journal rows not yet projected into activities (-1: unreadable).",
			lag(func(n int, _ time.Duration) float64 { return float64(n) }))
		m.Gauge("dashboard_journal_oldest_seconds", "Age of the oldest journal row waiting for the projector (-1: unreadable).",
			lag(func(_ int, age time.Duration) float64 { return age.Seconds() }))
	}
}

// readyCheck is one part of /readyz's answer.
type readyCheck struct {
	Name   string `json:"name"`
	Ready  bool   `json:"ready"`
	Detail string `json:"detail,omitempty"`
}

type readyReply struct {
	Ready    bool         `json:"ready"`
	NotReady []string     `json:"not_ready,omitempty"`
	Checks   []readyCheck `json:"checks"`
}

// handleReadyz answers 200 only when this instance can serve: the database answers, every known migration is
// recorded, a mirror sync has succeeded (on any instance: the runs are in the shared database) and the last
// upstream login or token refresh worked; 503 otherwise. Load balancers check it; /healthz stays the liveness
// probe. The details name states, never an upstream error's text (the route needs no session).
func handleReadyz(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		checks := []readyCheck{dbReady(ctx, d), migrationsReady(ctx, d), syncReady(ctx, d), upstreamReady(d.Metrics)}
		reply := readyReply{Ready: true, Checks: checks}
		for _, c := range checks {
			if !c.Ready {
				reply.Ready = false
				reply.NotReady = append(reply.NotReady, c.Name)
			}
		}
		status := http.StatusOK
		if !reply.Ready {
			status = http.StatusServiceUnavailable
		}
		replyJSON(w, status, reply)
	})
}

func dbReady(ctx context.Context, d Deps) readyCheck {
	if err := d.Store.Ping(ctx); err != nil {
		return readyCheck{Name: "database", Detail: "the database does not answer"}
	}
	return readyCheck{Name: "database", Ready: true}
}

func migrationsReady(ctx context.Context, d Deps) readyCheck {
	applied, known, err := d.Store.Migrations(ctx)
	switch {
	case err != nil:
		return readyCheck{Name: "migrations", Detail: "the schema version cannot be read"}
	case applied != known:
		return readyCheck{Name: "migrations", Detail: fmt.Sprintf("%d of %d applied", applied, known)}
	}
	return readyCheck{Name: "migrations", Ready: true, Detail: fmt.Sprintf("%d of %d applied", applied, known)}
}

func syncReady(ctx context.Context, d Deps) readyCheck {
	if d.Syncer == nil {
		return readyCheck{Name: "first_sync", Detail: "no mirror sync runs here"}
	}
	_, good, err := d.Syncer.LastRuns(ctx)
	switch {
	case err != nil:
		return readyCheck{Name: "first_sync", Detail: "the sync record cannot be read"}
	case good == nil:
		return readyCheck{Name: "first_sync", Detail: "no mirror sync has succeeded yet"}
	}
	return readyCheck{Name: "first_sync", Ready: true, Detail: "last good sync " + good.FinishedAt.UTC().Format(time.RFC3339)}
}

func upstreamReady(m *metrics.Metrics) readyCheck {
	at, err := m.LastLogin()
	switch {
	case at.IsZero():
		return readyCheck{Name: "upstream", Detail: "no upstream login yet"}
	case err != nil:
		return readyCheck{Name: "upstream", Detail: "the last upstream login failed at " + at.UTC().Format(time.RFC3339)}
	}
	return readyCheck{Name: "upstream", Ready: true, Detail: "last login " + at.UTC().Format(time.RFC3339)}
}
