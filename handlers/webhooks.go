package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
)

// Webhook receiver limits.
const (
	maxWebhookBody   = 1 << 20  // 1 MiB: the documented deliveries are a few hundred bytes
	tooLargeHead     = 16 << 10 // bytes kept of a delivery over the limit
	unverifiedKeep   = 64 << 10 // bytes kept of a delivery that failed authentication
	maxStoredText    = 200      // names, ids and User as stored (the full body is kept)
	maxStoredDetails = 2000     // details as stored (the full body is kept)
	webhookRetry     = "5"      // Retry-After seconds on 503
)

// webhookReceiver serves POST /webhooks/smarthome (no session, no CSRF: senders have no browser headers).
type webhookReceiver struct {
	d       Deps
	auth    webhookAuth
	limiter *inboxLimiter
	targets *targetCache
	now     func() time.Time
}

func handleWebhook(d Deps, opts Options, limiter *inboxLimiter) http.Handler {
	return &webhookReceiver{d: d, auth: newWebhookAuth(opts.WebhookSecrets), limiter: limiter,
		targets: newTargetCache(d.Store), now: time.Now}
}

// webhookReply is the JSON answer: what happened to the delivery, never why a credential failed in detail.
type webhookReply struct {
	Status string `json:"status"` // stored, duplicate, kept (inbox), rejected, unavailable
	ID     int64  `json:"id,omitempty"`
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, size, err := readLimited(r.Body, maxWebhookBody)
	if err != nil {
		wr.d.Logger.Info("webhook body unreadable", slog.Any("err", err))
		replyJSON(w, http.StatusBadRequest, webhookReply{Status: "unreadable"})
		return
	}
	a := wr.auth.check(r, body, wr.now())
	if size > maxWebhookBody {
		size = max(size, r.ContentLength) // what the sender announced, when it said
		wr.keep(w, r, http.StatusRequestEntityTooLarge, a, db.InboxEntry{Reason: db.ReasonTooLarge,
			Detail: "The body (" + strconv.FormatInt(size, 10) + " bytes or more) is over the 1 MiB limit; its head was kept.",
			Body:   body[:min(len(body), tooLargeHead)], BodySize: size, Truncated: true})
		return
	}
	if !a.ok {
		keep := body[:min(len(body), unverifiedKeep)]
		wr.keep(w, r, http.StatusUnauthorized, a, db.InboxEntry{Reason: a.reason, Detail: a.detail, Body: keep,
			BodySize: size, Truncated: len(keep) < len(body)})
		return
	}
	ev, err := smarthome.ParseEvent(body)
	if err != nil {
		wr.keep(w, r, http.StatusAccepted, a, db.InboxEntry{Reason: db.ReasonUnparseable, Detail: parseDetail(err),
			Body: body, BodySize: size})
		return
	}
	wr.store(w, r, ev, body, a)
}

// store ingests an accepted, parsed delivery and answers once it is durable (or 503 when it cannot be). The
// wait is not cut short by the sender hanging up: the write goes ahead, and what follows the commit (observers,
// live pages) must happen with it.
func (wr *webhookReceiver) store(w http.ResponseWriter, r *http.Request, ev *smarthome.Event, body []byte, a authResult) {
	ctx := context.WithoutCancel(r.Context())
	now := wr.now()
	target, err := wr.targets.resolve(ctx, ev.HubID, ev.DeviceID, now)
	var res db.IngestResult
	var view db.ActivityView
	if err == nil {
		var item db.IngestItem
		item, view = buildItem(ev, target, body, a, now)
		res, err = wr.d.Store.Ingest(ctx, item)
	}
	if err != nil {
		wr.d.Logger.Error("webhook not stored", slog.String("message_type", clip.String(ev.MessageType, 60)), slog.Any("err", err))
		w.Header().Set("Retry-After", webhookRetry)
		replyJSON(w, http.StatusServiceUnavailable, webhookReply{Status: "unavailable"})
		return
	}
	status := "stored"
	if res.Duplicate {
		status = "duplicate"
	}
	replyJSON(w, http.StatusOK, webhookReply{Status: status, ID: res.ID})
	if !res.Duplicate {
		view.ID = res.ID
		wr.afterCommit(ctx, view, res)
	}
}

// keep stores a delivery that is not an activity in the inbox and answers status. Unverified senders are rate
// limited (the refused ones are counted and the count is stored on the next kept row). A delivery the inbox
// cannot store is answered 503, so the sender retries: nothing is dropped silently.
func (wr *webhookReceiver) keep(w http.ResponseWriter, r *http.Request, status int, a authResult, e db.InboxEntry) {
	e.Verified, e.RemoteAddr, e.WebhookID = a.signedOrToken, clientIP(r), clip.String(r.Header.Get(smarthome.HeaderWebhookID), 100)
	e.ReceivedAt = wr.now()
	if !e.Verified { // anyone can send these (no secret, or a wrong one): they must not fill the disk
		allowed, suppressed := wr.limiter.take(e.ReceivedAt)
		if !allowed {
			replyJSON(w, status, webhookReply{Status: "rejected"})
			return
		}
		e.Suppressed = suppressed
	}
	id, err := wr.d.Store.AddInbox(r.Context(), e)
	if err != nil {
		if !e.Verified {
			wr.limiter.unkeep(e.Suppressed)
		}
		wr.d.Logger.Error("webhook inbox write failed", slog.String("reason", e.Reason), slog.Any("err", err))
		w.Header().Set("Retry-After", webhookRetry)
		replyJSON(w, http.StatusServiceUnavailable, webhookReply{Status: "unavailable"})
		return
	}
	wr.d.Logger.Warn("webhook kept in inbox", slog.Int64("inbox_id", id), slog.String("reason", e.Reason),
		slog.Bool("verified", e.Verified), slog.Int64("bytes", e.BodySize))
	state := "kept"
	if status == http.StatusUnauthorized {
		state = "rejected"
	}
	replyJSON(w, status, webhookReply{Status: state, ID: id})
}

// buildItem builds what the writer stores for a parsed event resolved against the mirror: the activity and the
// change it reports to the mirror's live state. The view is the activity as the live row shows it.
func buildItem(ev *smarthome.Event, target db.Target, body []byte, a authResult, now time.Time) (db.IngestItem, db.ActivityView) {
	act := newActivity(ev, target, a, now)
	item := db.IngestItem{Activity: act, Body: body, Live: liveChange(ev, smarthome.EventKind(act.Kind), act.DeviceType)}
	return item, db.ActivityView{Activity: act, PropertyName: target.PropertyName, TimeZone: target.TimeZone,
		MirrorDeviceName: target.DeviceName}
}

// newActivity maps a parsed event to its log row. A missing device_type is inferred: "hub" for an event naming no
// device, else the mirror's type of the device.
func newActivity(ev *smarthome.Event, t db.Target, a authResult, now time.Time) db.Activity {
	kind := smarthome.Kind(ev)
	deviceType, inferred := ev.DeviceType, ev.DeviceType == ""
	if inferred {
		deviceType = ev.EffectiveDeviceType()
		if deviceType == "" && t.DeviceKnown {
			deviceType = t.DeviceType
			kind = smarthome.KindOf(deviceType, ev.MessageType)
		}
	}
	act := db.Activity{At: ev.ActivityTime.Time, ReceivedAt: now, HubID: clip.String(ev.HubID, maxStoredText),
		DeviceID: clip.String(ev.DeviceID, maxStoredText), PropertyID: t.PropertyID, DeviceType: clip.String(deviceType, maxStoredText),
		TypeInferred: inferred, MessageType: clip.String(ev.MessageType, maxStoredText), Kind: string(kind),
		Details: clip.String(ev.DetailsString(), maxStoredDetails), DetailsJSON: clip.String(string(bytes.TrimSpace(ev.Details)), maxStoredDetails),
		Actor: clip.String(ev.User, maxStoredText), HomeName: clip.String(ev.HomeName, maxStoredText),
		SerialNo: clip.String(string(ev.SerialNo), maxStoredText), DeviceName: clip.String(ev.DeviceName, maxStoredText),
		Address: clip.String(ev.Address, maxStoredText), PMSDatapullID: clip.String(ev.PMSDatapullID, maxStoredText), Verified: a.ok && a.signedOrToken}
	digest := sha256.Sum256(ev.Raw)
	if a.signatureID != "" { // a verified signature: the sender's id is stable across retries and duplicates
		digest = sha256.Sum256([]byte("webhook-id:" + a.signatureID))
	}
	act.DedupeKey = db.DedupeKey(act.At, digest)
	return act
}

// parseDetail says why a body was not accepted, without echoing more than a few characters of it.
func parseDetail(err error) string {
	msg := strings.TrimPrefix(err.Error(), smarthome.ErrBadEvent.Error()+": ")
	return "Not a smart-home webhook: " + clip.String(msg, 300)
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
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
