package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/keyless/dashboard/domain/metrics"
	"github.com/keyless/dashboard/domain/upstream"
)

// recoverPanics turns a panic in any handler into a logged 500 page instead of a dropped connection.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { // the server's own way to abort a response: let it through
					panic(v)
				}
				logger.ErrorContext(r.Context(), "panic", slog.String("path", logPath(r)), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				serveError(w, r, logger, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// loggingWriter records the status for the access log and stays transparent to SSE.
type loggingWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (lw *loggingWriter) WriteHeader(code int) {
	if lw.code == 0 {
		lw.code = code
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *loggingWriter) Write(b []byte) (int, error) {
	if lw.code == 0 {
		lw.code = http.StatusOK
	}
	n, err := lw.ResponseWriter.Write(b)
	lw.bytes += int64(n)
	return n, err
}

// Flush lets r3labs/sse's http.Flusher assertion succeed through the wrapper.
func (lw *loggingWriter) Flush() { _ = http.NewResponseController(lw.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the real writer (write deadlines).
func (lw *loggingWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

// logRequests writes one access-log line per request, after the lines of its upstream faults. The query string
// is left out: it may carry the webhook token.
func logRequests(logger *slog.Logger, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &loggingWriter{ResponseWriter: w}
		faults := &upstream.FaultLog{}
		r = r.WithContext(upstream.WithFaultLog(r.Context(), faults)) // the mux sets r.Pattern on this request
		next.ServeHTTP(lw, r)
		took := time.Since(start)
		m.HTTPRequest(r.Pattern, lw.code, took, r.Pattern == "GET /events")
		writeFaultLog(r.Context(), logger, faults, r, lw.code)
		if quietPath(r.URL.Path) {
			return // probes, scrapes and assets would drown the log
		}
		var user int64
		if st := stateOf(r.Context()); st != nil {
			user = st.userID.Load()
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", logPath(r)), slog.Int("status", lw.code),
			slog.Int64("bytes", lw.bytes), slog.Duration("duration", took), slog.Bool("htmx", isHTMX(r)),
			slog.Int64("user_id", user))
	})
}

func quietPath(p string) bool {
	return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/")
}

// logPath hides guest-link tokens, which are bearer secrets.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/i/") {
		return "/i/…"
	}
	return r.URL.Path
}

// contentSecurityPolicy allows only our own scripts and styles: no inline script, no eval (htmx runs with allowEval off).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(secure bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/i/") {
			h.Set("Referrer-Policy", "no-referrer") // the path is a bearer secret
		}
		if secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
