package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/keyless/dashboard/smarthome"
)

// requestState is what the outer middleware learns of a request while inner layers serve it: the signed-in user
// is known only inside the session check, but the access-log line is written outside it.
type requestState struct {
	id     string
	userID atomic.Int64 // 0: nobody signed in
}

type requestStateKey struct{}

// withRequestID gives every request an id: a well-formed X-Request-Id (1–64 of [A-Za-z0-9._-]) is kept, anything
// else (missing, too long, a newline, markup) is replaced by 16 random bytes in hex, so a hostile id never reaches
// a log or a page. The id is echoed in the response, carried in the context (log lines, error pages) and sent on
// the upstream calls made for the request (smarthome.WithRequestID).
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !smarthome.ValidRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		st := &requestState{id: id}
		ctx := context.WithValue(r.Context(), requestStateKey{}, st)
		next.ServeHTTP(w, r.WithContext(smarthome.WithRequestID(ctx, id)))
	})
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

func stateOf(ctx context.Context) *requestState {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	return st
}

// requestID returns the request's id, or "" outside withRequestID (handlers called directly in tests).
func requestID(ctx context.Context) string {
	if st := stateOf(ctx); st != nil {
		return st.id
	}
	return ""
}

// noteUser tells the access log who is signed in (withUser calls it).
func noteUser(ctx context.Context, userID int64) {
	if st := stateOf(ctx); st != nil {
		st.userID.Store(userID)
	}
}

// LogHandler wraps h so that every record logged with a request's context carries its request_id. cmd/web wraps
// the process's handler with it; a record logged without the context (background work) is left as it is.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := requestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
