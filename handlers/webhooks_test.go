package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
)

// TestWebhookDocumentedExamples posts every documented example (smarthome/testdata/webhooks) and checks each is
// stored exactly and shown as sent: both activity_time forms, a numeric details, a missing device_type.
func TestWebhookDocumentedExamples(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	tests := []struct {
		file        string
		at          time.Time
		messageType string
		deviceType  string
		inferred    bool
		details     string
		detailsJSON string
		who         string
		event       string
	}{
		{"hub_online.json", time.Date(2023, 9, 25, 3, 24, 53, 0, time.UTC), "online", "hub", false, "Online", `"Online"`, "", "Hub online"},
		{"hub_heartbeat.json", time.UnixMilli(1546862518845), "heartbeat", "hub", false, "2020-09-10T09:24:44.657Z", `"2020-09-10T09:24:44.657Z"`, "", "Heartbeat"},
		{"hub_power_source.json", time.UnixMilli(1546862518845), "power_source", "hub", false, "battery/external", `"battery/external"`, "", "Power source"},
		{"hub_power_source_no_device_type.json", time.UnixMilli(1546862518845), "power_source", "hub", true, "battery/external", `"battery/external"`, "", "Power source"},
		{"hub_unassigned_from_account.json", time.UnixMilli(1546862518845), "unassigned_from_account", "hub", false, "5", `5`, "", "Hub unassigned"},
		{"lock.json", time.UnixMilli(1546862518845), "Lock", "lock", false, "", "", "Auto", "Locked"},
	}
	files, _ := filepath.Glob("../smarthome/testdata/webhooks/*.json")
	if len(files) != len(tests) {
		t.Fatalf("%d example files, %d cases: keep them in step", len(files), len(tests))
	}
	admin := e.signedInClient(t, db.RoleAdmin)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("../smarthome/testdata/webhooks", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep := e.post(t, "", body, nil)
			var got webhookReply
			if rep.status != http.StatusOK || json.Unmarshal([]byte(rep.body), &got) != nil || got.Status != "stored" {
				t.Fatalf("answer %d %s, want 200 stored", rep.status, rep.body)
			}
			a, err := e.store.ActivityByID(t.Context(), got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !a.At.Equal(tt.at) || a.MessageType != tt.messageType || a.DeviceType != tt.deviceType ||
				a.TypeInferred != tt.inferred || a.Details != tt.details || a.DetailsJSON != tt.detailsJSON || a.Actor != tt.who {
				t.Errorf("stored %+v", a.Activity)
			}
			if a.Verified {
				t.Error("stored as verified with no secret configured")
			}
			stored, err := e.store.ActivityBody(t.Context(), got.ID)
			if err != nil || !bytes.Equal(stored, body) {
				t.Errorf("stored body differs from the delivery (%v)", err)
			}
			page := e.get(t, admin, "/activities?hub="+a.HubID+"&message_type="+tt.messageType)
			wantStatus(t, page, http.StatusOK)
			row := page.doc.Find(`[data-activity-id="` + strconv.FormatInt(got.ID, 10) + `"]`)
			if row.Length() != 1 {
				t.Fatalf("activity %d not on the log page", got.ID)
			}
			if ev := text(row.Find(`[data-testid=activity-event]`)); ev != tt.event {
				t.Errorf("event shown %q, want %q", ev, tt.event)
			}
			if mt := text(row.Find(`[data-testid=activity-message-type]`)); mt != tt.messageType {
				t.Errorf("message type shown %q, want verbatim %q", mt, tt.messageType)
			}
			details := row.Find(`[data-testid=activity-details]`)
			if tt.details != "" && text(details) != tt.details {
				t.Errorf("details shown %q, want %q", text(details), tt.details)
			}
			if got, want := details.AttrOr("data-number", ""), boolStr(tt.detailsJSON == "5"); got != want {
				t.Errorf("details data-number = %s, want %s", got, want)
			}
			if inferred := row.Find(`[data-testid=activity-type-inferred]`).Length() == 1; inferred != tt.inferred {
				t.Errorf("type-not-sent marker shown %v, want %v", inferred, tt.inferred)
			}
			if when := row.Find(`time`).AttrOr("datetime", ""); when != tt.at.UTC().Format(time.RFC3339) {
				t.Errorf("time shown as %q, want %s", when, tt.at.UTC().Format(time.RFC3339))
			}
			if again := e.post(t, "", body, nil); again.status != http.StatusOK || !strings.Contains(again.body, `"duplicate"`) {
				t.Errorf("repeat answered %d %s, want 200 duplicate", again.status, again.body)
			}
		})
	}
	if n := len(e.activities(t, db.ActivityFilter{})); n != len(tests) {
		t.Errorf("%d activities stored for %d distinct deliveries", n, len(tests))
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestWebhookAuthentication: with secrets set, only a matching token or a valid, fresh signature is stored; the
// rest are answered 401 and kept in the inbox with the reason. A replayed signed delivery is stored once.
func TestWebhookAuthentication(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "first-secret", "whsec_c2Vjb25kLXNlY3JldC1rZXk=")
	dev, hub := e.mirrored(t, "lock")
	now := time.Now()
	n := 0
	body := func() []byte { // each case its own delivery
		n++
		return deviceEvent(dev, hub, "Unlock", "", "Keypad", now.Add(time.Duration(n)*time.Millisecond))
	}
	tamper := func(b []byte) []byte { return bytes.Replace(b, []byte("Keypad"), []byte("Forged"), 1) }
	tests := []struct {
		name   string
		query  string
		hdr    func(b []byte) http.Header
		mutate func([]byte) []byte
		status int
		reason string
	}{
		{"token, first secret", "?token=first-secret", nil, nil, 200, ""},
		{"token, rotated secret", "?token=whsec_c2Vjb25kLXNlY3JldC1rZXk=", nil, nil, 200, ""},
		{"wrong token", "?token=guess", nil, nil, 401, db.ReasonBadSignature},
		{"no credentials", "", nil, nil, 401, db.ReasonUnauthenticated},
		{"signature", "", func(b []byte) http.Header { return signed("msg_a", now, b, "first-secret") }, nil, 200, ""},
		{"signature, rotated secret", "", func(b []byte) http.Header {
			return signed("msg_b", now, b, "whsec_c2Vjb25kLXNlY3JldC1rZXk=")
		}, nil, 200, ""},
		{"forged signature", "", func(b []byte) http.Header { return signed("msg_c", now, b, "not-our-secret") }, nil, 401, db.ReasonBadSignature},
		{"body changed after signing", "", func(b []byte) http.Header { return signed("msg_d", now, b, "first-secret") }, tamper, 401, db.ReasonBadSignature},
		{"stale signature (replay)", "", func(b []byte) http.Header {
			return signed("msg_e", now.Add(-10*time.Minute), b, "first-secret")
		}, nil, 401, db.ReasonExpiredSignature},
		{"signature from the future", "", func(b []byte) http.Header {
			return signed("msg_f", now.Add(10*time.Minute), b, "first-secret")
		}, nil, 401, db.ReasonExpiredSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body()
			var hdr http.Header
			if tt.hdr != nil {
				hdr = tt.hdr(b)
			}
			if tt.mutate != nil {
				b = tt.mutate(b)
			}
			before := len(e.inbox(t))
			rep := e.post(t, tt.query, b, hdr)
			if rep.status != tt.status {
				t.Fatalf("status %d (%s), want %d", rep.status, rep.body, tt.status)
			}
			inbox := e.inbox(t)
			if tt.reason == "" {
				if len(inbox) != before {
					t.Errorf("an accepted delivery went to the inbox")
				}
				return
			}
			if len(inbox) != before+1 || inbox[0].Reason != tt.reason || inbox[0].Verified || !bytes.Equal(inbox[0].Body, b) {
				t.Fatalf("inbox head %+v, want one new unverified %s entry with the body", inbox[0], tt.reason)
			}
			if strings.Contains(inbox[0].Detail, "first-secret") || strings.Contains(rep.body, "secret") {
				t.Error("a secret leaked into the inbox detail or the answer")
			}
		})
	}
	// A replay inside the window (same webhook-id, fresh valid signature, as a retry looks) is stored once.
	b := body()
	first := e.post(t, "", b, signed("msg_retry", now, b, "first-secret"))
	again := e.post(t, "", b, signed("msg_retry", now.Add(time.Second), b, "first-secret"))
	if first.status != 200 || again.status != 200 || !strings.Contains(again.body, `"duplicate"`) {
		t.Fatalf("first %v, replay %v: want 200 stored then 200 duplicate", first, again)
	}
	verified := e.activities(t, db.ActivityFilter{DeviceID: dev.ID})
	for _, a := range verified {
		if !a.Verified {
			t.Errorf("activity %d accepted with credentials is not marked verified", a.ID)
		}
	}
	if len(verified) != 5 {
		t.Errorf("%d activities stored, want 5 (4 accepted cases + 1 replayed delivery)", len(verified))
	}
	if strings.Contains(e.logs.String(), "first-secret") {
		t.Error("a webhook secret reached the log")
	}
}

// TestWebhookLimits: oversized, malformed and duplicate deliveries, and a store that cannot write.
func TestWebhookLimits(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	dev, hub := e.mirrored(t, "lock")
	big := append([]byte(`{"hub_id":"x","pad":"`), bytes.Repeat([]byte("a"), ingest.MaxBody)...)
	tests := []struct {
		name      string
		body      []byte
		status    int
		reason    string
		truncated bool
	}{
		{"oversized", big, http.StatusRequestEntityTooLarge, db.ReasonTooLarge, true},
		{"not JSON", []byte(`hub_id=1&message_type=Lock`), http.StatusAccepted, db.ReasonUnparseable, false},
		{"JSON array", []byte(`[{"hub_id":"x"}]`), http.StatusAccepted, db.ReasonUnparseable, false},
		{"no hub_id", []byte(`{"message_type":"Lock","activity_time":1546862518845}`), http.StatusAccepted, db.ReasonUnparseable, false},
		{"bad activity_time", []byte(`{"hub_id":"x","message_type":"Lock","activity_time":"yesterday"}`), http.StatusAccepted, db.ReasonUnparseable, false},
		{"empty", nil, http.StatusAccepted, db.ReasonUnparseable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.post(t, "", tt.body, nil)
			if rep.status != tt.status {
				t.Fatalf("status %d (%s), want %d", rep.status, rep.body, tt.status)
			}
			in := e.inbox(t)[0]
			if in.Reason != tt.reason || in.Truncated != tt.truncated {
				t.Fatalf("inbox entry %s truncated=%v, want %s %v", in.Reason, in.Truncated, tt.reason, tt.truncated)
			}
			full, err := e.store.InboxEntryByID(t.Context(), in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.truncated {
				if len(full.Body) != ingest.TooLargeHead || full.BodySize <= ingest.MaxBody {
					t.Errorf("kept %d bytes of %d", len(full.Body), full.BodySize)
				}
			} else if !bytes.Equal(full.Body, tt.body) {
				t.Errorf("kept body %q, want the delivery", full.Body)
			}
		})
	}
	t.Run("unknown message type is stored, not dropped", func(t *testing.T) {
		rep := e.post(t, "", deviceEvent(dev, hub, "door_unicorn", `"sparkles"`, "", time.Now()), nil)
		if rep.status != http.StatusOK {
			t.Fatalf("status %d", rep.status)
		}
		got := e.activities(t, db.ActivityFilter{MessageType: "door_unicorn"})
		if len(got) != 1 || got[0].Kind != "unknown" || got[0].Details != "sparkles" {
			t.Fatalf("stored %+v", got)
		}
	})
	t.Run("store down answers 503", func(t *testing.T) {
		down := newWebhookEnv(t)
		down.closeStore()
		rep := down.post(t, "", deviceEvent(dev, hub, "Lock", "", "Auto", time.Now()), nil)
		if rep.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503 so the sender retries", rep.status)
		}
		bad := down.post(t, "", []byte(`nonsense`), nil)
		if bad.status != http.StatusServiceUnavailable {
			t.Fatalf("inbox write failure answered %d, want 503", bad.status)
		}
	})
}
