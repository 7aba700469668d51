package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// appHandler may fail; withErrors turns its error into an error page or a flash fragment.
type appHandler func(w http.ResponseWriter, r *http.Request) error

func withErrors(logger *slog.Logger, h appHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			serveError(w, r, logger, err)
		}
	})
}

// httpError carries a status and a message that is safe to show to the person who caused it.
type httpError struct {
	status int
	msg    string
	err    error
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s: %v", e.status, e.msg, e.err) }
func (e *httpError) Unwrap() error { return e.err }

func badRequest(msg string, err error) error { return &httpError{http.StatusBadRequest, msg, err} }
func forbidden(msg string) error             { return &httpError{http.StatusForbidden, msg, nil} }
func notFound() error                        { return &httpError{http.StatusNotFound, msgNotFound, nil} }

const msgNotFound = "That page or item does not exist, or you don't have access to it."

// classify maps an error to the status and the message a person sees; the error itself is only logged.
func classify(err error) (int, string) {
	var he *httpError
	var apiErr *smarthome.ErrorResponse
	switch {
	case errors.As(err, &he):
		return he.status, he.msg
	case db.IsStorageFault(err):
		return http.StatusServiceUnavailable, "The dashboard cannot save anything right now: " + db.StorageProblem(err) +
			". Nothing was saved. Pages that only show data still work; tell an administrator, then try again."
	case errors.Is(err, db.ErrNotFound), errors.Is(err, smarthome.ErrNotFound):
		return http.StatusNotFound, msgNotFound
	case errors.Is(err, smarthome.ErrRateLimited):
		return http.StatusServiceUnavailable, "The Smart Home service is busy. Nothing was changed; try again in a minute."
	case upstream.Class(err) != "":
		return faultAnswer(upstream.Class(err))
	case errors.Is(err, smarthome.ErrForbidden):
		return http.StatusForbidden, "The Smart Home service refused this for our account: " + upstream.Message(err)
	case errors.As(err, &apiErr):
		if apiErr.StatusCode >= 500 {
			return http.StatusBadGateway, "The Smart Home service failed. Nothing was changed; try again in a few minutes."
		}
		return http.StatusBadGateway, "The Smart Home service refused the request: " + upstream.Message(err)
	default:
		return http.StatusInternalServerError, "Something went wrong on our side. It has been logged."
	}
}

func serveError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status, msg := classify(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(r.Context(), level, "request failed", slog.String("method", r.Method),
		slog.String("path", logPath(r)), slog.Int("status", status), slog.Bool("htmx", isHTMX(r)), slog.Any("err", err))

	if isHTMX(r) && !wantsPage(r) { // show the message in the page's flash region, not in the request's target
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		if rerr := render(w, r, status, views.Flash("error", msg)); rerr != nil {
			http.Error(w, msg, status)
		}
		return
	}
	if rerr := render(w, r, status, views.ErrorPage(pageMeta(r, "Error", ""), status, msg)); rerr != nil {
		http.Error(w, msg, status) // render buffers, so nothing was written yet
	}
}

// render writes c with status only after it rendered completely, so a failing template never leaves a partial 200.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a client that went away is nobody's error
	return nil
}

// Pages are rendered into a buffer (so a failed render becomes an error page, not half a page). Growing a fresh
// buffer to a 25 KB page allocated about 64 KB a page, a quarter of all a page allocates; the buffers are reused.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// maxPooledBuffer keeps a rare huge page (a long export preview…) from pinning its buffer in the pool.
const maxPooledBuffer = 1 << 20

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// page renders a full page, or only fragment when htmx asked for a targeted swap of this URL.
func page(w http.ResponseWriter, r *http.Request, full, fragment templ.Component) error {
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && !wantsPage(r) && fragment != nil {
		return render(w, r, http.StatusOK, fragment)
	}
	return render(w, r, http.StatusOK, full)
}

// redirect answers a browser with 303 and an htmx request with HX-Redirect (a 3xx would be followed by the XHR and
// its target swapped into a widget).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
