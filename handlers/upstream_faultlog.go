package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/keyless/dashboard/domain/upstream"
)

// writeFaultLog logs each fault of the request: at error level when the person got a 5xx because of it, at warn
// when the page still answered (it showed the mirror with a notice). The error text names the upstream route and
// the network error; the client never puts request bodies (PINs, passwords) or tokens in it.
func writeFaultLog(ctx context.Context, logger *slog.Logger, l *upstream.FaultLog, r *http.Request, status int) {
	faults, dropped := l.Faults()
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	for i, f := range faults {
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.String("path", logPath(r)), slog.Int("status", status), slog.String("op", f.Op),
			slog.String("class", string(f.Class)), slog.String("err", f.Err.Error())}
		if i == len(faults)-1 && dropped > 0 {
			attrs = append(attrs, slog.Int("not_logged", dropped))
		}
		logger.LogAttrs(ctx, level, "upstream unreachable", attrs...)
	}
}
