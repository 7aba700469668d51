package live

import (
	"net/http"
	"testing"
	"time"
)

// accessLogWriter mirrors handlers' loggingWriter: a status-recording wrapper with Flush and Unwrap.
type accessLogWriter struct {
	http.ResponseWriter
	code int
}

func (lw *accessLogWriter) WriteHeader(code int) {
	if lw.code == 0 {
		lw.code = code
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *accessLogWriter) Flush() { _ = http.NewResponseController(lw.ResponseWriter).Flush() }

func (lw *accessLogWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

// unwrapOnlyWriter has no Flush of its own; http.ResponseController finds the real one through Unwrap.
type unwrapOnlyWriter struct{ http.ResponseWriter }

func (u unwrapOnlyWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// flushOnlyWriter flushes but hides the connection: its write deadline cannot be cleared.
type flushOnlyWriter struct{ http.ResponseWriter }

func (f flushOnlyWriter) Flush() { _ = http.NewResponseController(f.ResponseWriter).Flush() }

// opaqueWriter is the classic broken middleware: neither Flush nor Unwrap.
type opaqueWriter struct{ http.ResponseWriter }

func wrapWith(mk func(http.ResponseWriter) http.ResponseWriter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(mk(w), r) })
	}
}

// TestStreamThroughWrappers runs the stream behind middleware wrappers and a short server WriteTimeout: a working
// chain must keep the stream alive past that absolute deadline; a chain that hides Flush or the connection must be
// refused loudly (500) instead of failing later.
func TestStreamThroughWrappers(t *testing.T) {
	t.Parallel()
	const serverWriteTimeout = 200 * time.Millisecond
	tests := []struct {
		name       string
		wrap       func(http.ResponseWriter) http.ResponseWriter
		query      string
		header     http.Header
		wantStatus int
	}{
		{name: "access-log wrapper with Flush and Unwrap", wrap: func(w http.ResponseWriter) http.ResponseWriter { return &accessLogWriter{ResponseWriter: w} }, wantStatus: http.StatusOK},
		{name: "wrapper with Unwrap only", wrap: func(w http.ResponseWriter) http.ResponseWriter { return unwrapOnlyWriter{w} }, wantStatus: http.StatusOK},
		{name: "two wrappers deep", wrap: func(w http.ResponseWriter) http.ResponseWriter {
			return &accessLogWriter{ResponseWriter: unwrapOnlyWriter{w}}
		}, wantStatus: http.StatusOK},
		{name: "non-numeric Last-Event-ID is ignored", header: http.Header{"Last-Event-Id": {"abc"}}, wantStatus: http.StatusOK},
		{name: "wrapper with Flush only", wrap: func(w http.ResponseWriter) http.ResponseWriter { return flushOnlyWriter{w} }, wantStatus: http.StatusInternalServerError},
		{name: "wrapper with neither", wrap: func(w http.ResponseWriter) http.ResponseWriter { return opaqueWriter{w} }, wantStatus: http.StatusInternalServerError},
		{name: "nil Match", query: "&nomatch=1", wantStatus: http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := harnessConfig{writeTimeout: serverWriteTimeout}
			if tt.wrap != nil {
				cfg.wrap = wrapWith(tt.wrap)
			}
			h := newHarness(t, cfg)
			defer h.close()
			c := dialSSE(t, h.addr(), "user=1"+tt.query, tt.header, 0)
			defer c.close()
			if got := c.resp.StatusCode; got != tt.wantStatus {
				t.Fatalf("status = %d, want %d", got, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				if got := h.b.Stats().Subscribers; got != 0 {
					t.Errorf("refused request left %d subscribers", got)
				}
				return
			}
			h.b.Publish(Event{ID: 1, Name: "early", Data: []byte("early")})
			if got := c.nextEvent(t); got.Name != "early" {
				t.Fatalf("got %q, want early", got.Name)
			}
			// The thing under test is a deadline: outlive it, then prove the stream still carries events.
			time.Sleep(3 * serverWriteTimeout)
			h.b.Publish(Event{ID: 2, Name: "late", Data: []byte("line 1\nline 2")})
			if got := c.nextEvent(t); got.Name != "late" || got.Data != "line 1\nline 2" {
				t.Errorf("after the server WriteTimeout got event=%q data=%q", got.Name, got.Data)
			}
		})
	}
}

// TestWriteDeadlineDropsStalledReader shows the second line of defence: with a queue too large to fill, a reader
// that stops reading is still disconnected by its own per-event write deadline, not by a kick.
func TestWriteDeadlineDropsStalledReader(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{opts: Options{WriteTimeout: 200 * time.Millisecond, Buffer: 100_000}, sendBuffer: 4096})
	defer h.close()
	stalled := dialSSE(t, h.addr(), "user=1", nil, 4096)
	defer stalled.close()
	data := fragment(2048)
	deadline := time.Now().Add(readWait)
	for h.active.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("stalled reader still connected")
		}
		h.b.Publish(Event{ID: 1, Name: "x", Data: data})
		time.Sleep(2 * time.Millisecond)
	}
	if st := h.b.Stats(); st.Kicked != 0 || st.Subscribers != 0 {
		t.Errorf("stats = %+v, want the reader gone without a kick", st)
	}
}
