package db

import (
	"testing"
	"time"
)

// TestReprocessInboxHold: an unverified entry re-processed without Apply is logged and held (the mirror unchanged);
// a verified delivery of other bytes under the same key does not release it, the very same bytes do, once.
func TestReprocessInboxHold(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 1, t0)))
	body := []byte(`{"forged":"offline"}`)
	id, err := s.AddInbox(t.Context(), InboxEntry{Reason: ReasonExpiredSignature, Body: body, BodySize: int64(len(body)),
		WebhookID: "msg_1"})
	must(t, err)
	act := newActivity(1, time.Minute)
	act.MessageType, act.Kind, act.DeviceID = "offline", "hub.offline", ""
	off := &LiveChange{HubID: "hub-000000", At: act.At, HubOnline: ptr(false)}
	p := Reprocess{InboxID: id, Activity: act, Body: body, Live: off, By: "admin@example.com", At: t0}
	res, err := s.ReprocessInbox(t.Context(), p)
	must(t, err)
	online := func() bool {
		h, err := s.Hub(t.Context(), "hub-000000")
		must(t, err)
		return h.Online
	}
	if !res.Held || res.Duplicate || res.Hub != nil || !online() {
		t.Fatalf("re-processed: %+v, hub online %v; want held and the hub untouched", res, online())
	}
	_, err = s.ReprocessInbox(t.Context(), p)
	wantErr(t, err, ErrConflict)

	genuine := act
	genuine.Verified = true
	other := ingest(t, s, IngestItem{Activity: genuine, Body: []byte(`{"other":"bytes"}`), Live: off})
	if !other.Duplicate || other.Released || !online() {
		t.Fatalf("other bytes under the same key: %+v, hub online %v; want a plain duplicate", other, online())
	}
	same := ingest(t, s, IngestItem{Activity: genuine, Body: body, Live: off})
	if same.Duplicate || !same.Released || same.ID != res.ActivityID || online() {
		t.Fatalf("the same bytes, verified: %+v, hub online %v; want the held activity released", same, online())
	}
	v, err := s.ActivityByID(t.Context(), res.ActivityID)
	must(t, err)
	if !v.Verified || v.Held || !v.Reprocessed {
		t.Errorf("released activity %+v", v)
	}
	if again := ingest(t, s, IngestItem{Activity: genuine, Body: body, Live: off}); !again.Duplicate || again.Released {
		t.Errorf("released twice: %+v", again)
	}
	_, err = s.ConfirmInbox(t.Context(), id, off, "admin@example.com", t0)
	wantErr(t, err, ErrConflict)
}
