package handlers

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/domain/metrics"
)

// webhookRetry is the Retry-After seconds on 503.
const webhookRetry = "5"

// webhookReceiver serves POST /webhooks/smarthome (no session, no CSRF: senders have no browser headers). The
// pipeline (verify, parse, store, tell) is ingest.Receiver; this reads the request and maps its outcome.
type webhookReceiver struct {
	logger  *slog.Logger
	rx      *ingest.Receiver
	metrics *metrics.Metrics
}

func handleWebhook(d Deps, rx *ingest.Receiver) http.Handler {
	return &webhookReceiver{logger: d.Logger, rx: rx, metrics: d.Metrics}
}

// webhookReply is the JSON answer: what happened to the delivery, never why a credential failed in detail.
type webhookReply struct {
	Status string `json:"status"` // stored, duplicate, kept (inbox), rejected, unavailable
	ID     int64  `json:"id,omitempty"`
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, size, err := readLimited(r.Body, ingest.MaxBody)
	if err != nil {
		wr.logger.InfoContext(r.Context(), "webhook body unreadable", slog.Any("err", err))
		wr.metrics.Webhook("unreadable")
		replyJSON(w, http.StatusBadRequest, webhookReply{Status: "unreadable"})
		return
	}
	if size > ingest.MaxBody {
		size = max(size, r.ContentLength) // what the sender announced, when it said
	}
	out := wr.rx.Receive(r.Context(), ingest.Delivery{Body: body, Size: size, Token: r.URL.Query().Get("token"),
		Header: r.Header, RemoteAddr: clientIP(r)})
	status, reply := webhookAnswer(out)
	wr.metrics.Webhook(reply.Status)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", webhookRetry)
	}
	replyJSON(w, status, reply)
	wr.rx.Announce(r.Context(), out) // after the answer: the sender waits for the commit only
}

// webhookAnswer maps the receiver's outcome to the status and answer the sender gets. A delivery that is not an
// activity is answered by why: 413 too large, 401 not verified (stored or not, it is rejected), 202 unreadable.
func webhookAnswer(o ingest.Outcome) (int, webhookReply) {
	switch o.Result {
	case ingest.Stored:
		return http.StatusOK, webhookReply{Status: "stored", ID: o.ID}
	case ingest.Duplicate:
		return http.StatusOK, webhookReply{Status: "duplicate", ID: o.ID}
	case ingest.Kept, ingest.Refused:
		status := keptStatus(o.Reason)
		state := "kept"
		if o.Result == ingest.Refused || status == http.StatusUnauthorized {
			state = "rejected"
		}
		return status, webhookReply{Status: state, ID: o.ID}
	default:
		return http.StatusServiceUnavailable, webhookReply{Status: "unavailable"}
	}
}

// keptStatus is the status of a delivery kept in the inbox (or refused by its limit), by the reason.
func keptStatus(reason string) int {
	switch reason {
	case db.ReasonTooLarge:
		return http.StatusRequestEntityTooLarge
	case db.ReasonUnparseable:
		return http.StatusAccepted
	default: // not verified: no credentials, a bad token or signature, a stale signature
		return http.StatusUnauthorized
	}
}

// readLimited reads at most limit+1 bytes of r and reports how many bytes the body had (limit+1 means "more").
func readLimited(r io.Reader, limit int64) ([]byte, int64, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, err
	}
	return body, int64(len(body)), nil
}

func replyJSON(w http.ResponseWriter, status int, v any) {
	body, _ := encodeJSON(v)
	writeJSON(w, status, body)
}
