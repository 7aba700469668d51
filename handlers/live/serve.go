package live

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Serve streams live events to one EventSource until the client leaves, the broker closes, or the subscriber is
// closed or kicked. The caller has already authorised the request and expressed what the user may see in sub.Match;
// the client's query string is ignored. Answers: 503 when closed or at MaxSubscribers, 500 when sub.Match is nil or
// the ResponseWriter chain cannot flush or set write deadlines (a middleware wrapper without Flush or Unwrap).
func (b *Broker) Serve(w http.ResponseWriter, r *http.Request, sub Subscriber) {
	ctx := r.Context()
	if sub.Match == nil {
		b.logger.LogAttrs(ctx, slog.LevelError, "sse subscriber without match", slog.Int64("user_id", sub.UserID))
		http.Error(w, "live updates are misconfigured", http.StatusInternalServerError)
		return
	}
	if !canFlush(w) {
		b.logger.LogAttrs(ctx, slog.LevelError, "sse response writer cannot flush (wrapper without Flush or Unwrap?)")
		http.Error(w, "live updates are misconfigured", http.StatusInternalServerError)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc := http.NewResponseController(w)
	c := &conn{sub: sub, streamID: rand.Text(), cancel: cancel}
	c.w = &deadlineWriter{ResponseWriter: w, rc: rc, timeout: b.opts.WriteTimeout, conn: c}
	if err := b.register(c); err != nil {
		if errors.Is(err, errFull) {
			b.logger.LogAttrs(ctx, slog.LevelWarn, "sse subscriber limit reached",
				slog.Int64("user_id", sub.UserID), slog.Int("max", b.opts.MaxSubscribers))
		}
		w.Header().Set("Retry-After", "10")
		http.Error(w, "live updates are unavailable, retrying shortly", http.StatusServiceUnavailable)
		return
	}
	defer b.wg.Done()
	defer b.unregister(c)
	// The server's WriteTimeout is an absolute deadline for the whole response: it would cut every stream (golang/go#16100).
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		b.logger.LogAttrs(ctx, slog.LevelError, "sse write deadline unreachable (wrapper without Unwrap?)", slog.Any("err", err))
		http.Error(w, "live updates are misconfigured", http.StatusInternalServerError)
		return
	}
	b.server.CreateStream(c.streamID)
	sr := r.Clone(ctx)
	sr.URL.RawQuery = "stream=" + c.streamID
	sr.Header.Del("Last-Event-ID") // replay is off; a non-numeric value would make r3labs answer 400, which EventSource treats as fatal
	b.server.ServeHTTP(c.w, sr)
	c.w.finish()
	// Safe only now: r3labs' handler returns after its subscriber has left the stream (we never send the empty event
	// that would break its loop early), so no goroutine of r3labs is left waiting on this stream.
	b.server.RemoveStream(c.streamID)
}

// canFlush reports whether w, or a writer it unwraps to, can flush, as http.ResponseController would find it.
// r3labs asserts http.Flusher on our own wrapper, which always succeeds, so the real chain is checked here.
func canFlush(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case http.Flusher, interface{ FlushError() error }:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// expired is a write deadline in the past: any write fails at once.
var expired = time.Unix(1, 0)

// deadlineWriter is what r3labs writes to. It arms the write deadline (now + timeout) at the first write of every
// event, so one event may take at most timeout to reach the socket, however long the stream lives; a reader that stops
// reading fails its own write and is disconnected. It implements Flush and Unwrap like every wrapper on this route.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	conn    *conn // marked attached at the first Flush

	pending  bool // handler goroutine only: the current event's deadline is armed
	attached bool // handler goroutine only

	mu     sync.Mutex
	ending bool // end() was called: every write gets an expired deadline
	done   bool // Serve is returning: the connection may serve another request, leave its deadline alone
}

// Write arms the deadline for the event it starts, then writes.
func (d *deadlineWriter) Write(p []byte) (int, error) {
	if !d.pending {
		d.arm()
		d.pending = true
	}
	return d.ResponseWriter.Write(p)
}

// Flush ends an event (r3labs flushes after each one). The first Flush carries the headers, after r3labs has
// subscribed to the stream: from then on the connection receives events, so it becomes visible to Publish before the
// browser can see the stream open and re-read the page.
func (d *deadlineWriter) Flush() {
	if !d.pending {
		d.arm()
	}
	d.pending = false
	if !d.attached {
		d.attached = true
		d.conn.attached.Store(true)
	}
	_ = d.rc.Flush() // a failure has already cancelled the request context: r3labs' loop is ending
}

// Unwrap lets http.ResponseController reach the real writer.
func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

func (d *deadlineWriter) arm() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return
	}
	deadline := time.Now().Add(d.timeout)
	if d.ending {
		deadline = expired
	}
	_ = d.rc.SetWriteDeadline(deadline)
}

// expire makes the write in progress, if any, and every later one fail now. Safe from any goroutine.
func (d *deadlineWriter) expire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ending = true
	if !d.done {
		_ = d.rc.SetWriteDeadline(expired)
	}
}

// finish leaves a bounded deadline for net/http's end of the response, then stops touching the connection.
func (d *deadlineWriter) finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.ending {
		_ = d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	}
	d.done = true
}
