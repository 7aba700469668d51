package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
)

// maxLoggedFaults bounds the fault lines one request writes: a page that reads many locks of a dead upstream says
// it a few times, not once per lock.
const maxLoggedFaults = 5

// faultLog collects the upstream faults of one request. Many handlers answer a fault inside their own page (a form
// error, a failed command card) instead of returning it to serveError, so the log line is written where every
// request ends: logRequests, which also knows the route and the status the person got.
type faultLog struct {
	mu      sync.Mutex
	faults  []*upstreamFault
	dropped int
}

type faultLogKey struct{}

func withFaultLog(ctx context.Context, l *faultLog) context.Context {
	return context.WithValue(ctx, faultLogKey{}, l)
}

// noteFault adds f to the request's fault log. Background work (sync, trackers) has none and reports its own
// failures (the sync status, the records it settles).
func noteFault(ctx context.Context, f *upstreamFault) {
	l, _ := ctx.Value(faultLogKey{}).(*faultLog)
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.faults) >= maxLoggedFaults {
		l.dropped++
		return
	}
	l.faults = append(l.faults, f)
}

// write logs each fault: at error level when the person got a 5xx because of it, at warn when the page still
// answered (it showed the mirror with a notice). The error text names the upstream route and the network error;
// the client never puts request bodies (PINs, passwords) or tokens in it.
func (l *faultLog) write(ctx context.Context, logger *slog.Logger, r *http.Request, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	for i, f := range l.faults {
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.String("path", logPath(r)), slog.Int("status", status), slog.String("op", f.op),
			slog.String("class", string(f.class)), slog.String("err", f.err.Error())}
		if i == len(l.faults)-1 && l.dropped > 0 {
			attrs = append(attrs, slog.Int("not_logged", l.dropped))
		}
		logger.LogAttrs(ctx, level, "upstream unreachable", attrs...)
	}
}
