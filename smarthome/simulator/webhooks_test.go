package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a webhook endpoint that fails its first `failures` requests with 503 and records everything.
type receiver struct {
	mu       sync.Mutex
	got      []received
	failures int
	block    chan struct{} // when set, each request waits for it to be closed
	arrived  chan struct{}
}

func newReceiver(t *testing.T, failures int) (*receiver, string) {
	rc := &receiver{failures: failures, arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Header.Clone(), body})
		fail, block := len(rc.got) <= rc.failures, rc.block
		rc.mu.Unlock()
		rc.arrived <- struct{}{}
		if block != nil {
			<-block
		}
		if fail {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return rc, srv.URL + "/webhooks/smarthome?token=t0ken"
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func fastRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
}

func TestWebhookEnvelope(t *testing.T) {
	t.Parallel()
	for _, asString := range []bool{false, true} {
		t.Run("activity_time as string "+strconv.FormatBool(asString), func(t *testing.T) {
			t.Parallel()
			rc, url := newReceiver(t, 0)
			e := start(t, Options{WebhookURL: url, ActivityTimeAsString: asString})
			lock := e.firstOf("lock")
			if err := e.sim.Trigger(TriggerEvent{HubID: lock.HubID, MessageType: "power_source", Details: "battery"}); err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Trigger(TriggerEvent{DeviceID: lock.ID, MessageType: "Lock"}); err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			reqs := rc.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d deliveries, want 2", len(reqs))
			}
			hubEv, lockEv := decode(t, reqs[0].body), decode(t, reqs[1].body)
			for _, ev := range []map[string]any{hubEv, lockEv} {
				for _, k := range []string{"hub_id", "home_name", "serial_no", "address", "pms_datapull_id", "device_type", "message_type", "activity_time"} {
					if _, ok := ev[k]; !ok {
						t.Errorf("%v lacks %s", ev["message_type"], k)
					}
				}
				if _, isString := ev["serial_no"].(string); !isString {
					t.Errorf("serial_no %T, want string", ev["serial_no"])
				}
				want := float64(testStart.UnixMilli())
				if asString {
					if ev["activity_time"] != "2026-03-10 15:00:00 UTC" {
						t.Errorf("activity_time %v", ev["activity_time"])
					}
				} else if ev["activity_time"] != want {
					t.Errorf("activity_time %v, want %v", ev["activity_time"], want)
				}
			}
			if hubEv["device_type"] != "hub" || hubEv["details"] != "battery" || hubEv["device_id"] != nil || hubEv["User"] != nil {
				t.Errorf("hub event %v", hubEv)
			}
			if lockEv["device_id"] != lock.ID || lockEv["device_name"] == "" || lockEv["User"] != "Auto" || lockEv["details"] != nil {
				t.Errorf("lock event %v", lockEv)
			}
			if !strings.HasPrefix(hubEv["pms_datapull_id"].(string), "Rently02|") {
				t.Errorf("pms_datapull_id %v", hubEv["pms_datapull_id"])
			}
			if ct := reqs[0].header.Get("Content-Type"); ct != "application/json" || reqs[0].header.Get("webhook-signature") != "" {
				t.Errorf("headers %v", reqs[0].header)
			}
		})
	}
}

func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	rawKey := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		name   string
		secret string
		key    []byte
	}{
		{"raw secret", "plain-secret", []byte("plain-secret")},
		{"whsec secret is base64-decoded", "whsec_" + base64.StdEncoding.EncodeToString(rawKey), rawKey},
		{"whsec with bad base64 is used raw", "whsec_***", []byte("whsec_***")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc, url := newReceiver(t, 1) // one failure: the retry must carry the same id and a valid signature
			e := start(t, Options{WebhookURL: url, WebhookSecret: tt.secret, WebhookRetry: fastRetry()})
			if err := e.sim.Trigger(TriggerEvent{HubID: e.firstOf("lock").HubID, MessageType: "heartbeat"}); err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			reqs := rc.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			for _, req := range reqs {
				id, ts := req.header.Get("webhook-id"), req.header.Get("webhook-timestamp")
				sec, err := strconv.ParseInt(ts, 10, 64)
				if err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute || !strings.HasPrefix(id, "msg_") {
					t.Fatalf("webhook-id %q webhook-timestamp %q", id, ts)
				}
				m := hmac.New(sha256.New, tt.key)
				m.Write([]byte(id + "." + ts + "."))
				m.Write(req.body)
				if want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)); req.header.Get("webhook-signature") != want {
					t.Errorf("signature %q, want %q", req.header.Get("webhook-signature"), want)
				}
			}
			if reqs[0].header.Get("webhook-id") != reqs[1].header.Get("webhook-id") {
				t.Error("webhook-id changed between attempts")
			}
		})
	}
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	t.Run("until the receiver recovers", func(t *testing.T) {
		t.Parallel()
		rc, url := newReceiver(t, 3)
		e := start(t, Options{WebhookURL: url, WebhookRetry: fastRetry()})
		if err := e.sim.Trigger(TriggerEvent{HubID: e.firstOf("lock").HubID, MessageType: "offline"}); err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		d := e.sim.Deliveries()
		if len(rc.requests()) != 4 || len(d) != 1 || !d[0].Delivered || d[0].Attempts != 4 || d[0].Status != 204 || d[0].Error != "" {
			t.Fatalf("%d requests, record %+v", len(rc.requests()), d)
		}
		if !bytes.Equal(rc.requests()[3].body, d[0].Body) {
			t.Error("retried body differs")
		}
	})
	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		t.Parallel()
		var logs bytes.Buffer
		var logMu sync.Mutex
		rc, url := newReceiver(t, 100)
		e := start(t, Options{WebhookURL: url, WebhookRetry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond},
			Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))})
		if err := e.sim.Trigger(TriggerEvent{HubID: e.firstOf("lock").HubID, MessageType: "offline"}); err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		d := e.sim.Deliveries()[0]
		if len(rc.requests()) != 3 || d.Delivered || d.Attempts != 3 || d.Status != 503 || d.Error == "" {
			t.Fatalf("record %+v after %d requests", d, len(rc.requests()))
		}
		logMu.Lock()
		defer logMu.Unlock()
		if !strings.Contains(logs.String(), "webhook delivery gave up") || strings.Contains(logs.String(), "t0ken") {
			t.Errorf("log %s", logs.String())
		}
	})
}

// lockedWriter serialises writes to a buffer shared with the test.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWebhookQueueDropsOldest(t *testing.T) {
	t.Parallel()
	rc, url := newReceiver(t, 0)
	rc.block = make(chan struct{})
	e := start(t, Options{WebhookURL: url, WebhookQueueSize: 3})
	hub := e.firstOf("lock").HubID
	trigger := func(details string) {
		if err := e.sim.Trigger(TriggerEvent{HubID: hub, MessageType: "heartbeat", Details: details}); err != nil {
			t.Fatal(err)
		}
	}
	trigger("1")
	<-rc.arrived // the first is in flight; the queue is empty again
	for _, d := range []string{"2", "3", "4", "5", "6"} {
		trigger(d)
	}
	close(rc.block)
	if err := e.sim.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var delivered, dropped []string
	for _, d := range e.sim.Deliveries() {
		var ev map[string]any
		if err := json.Unmarshal(d.Body, &ev); err != nil {
			t.Fatal(err)
		}
		if d.Dropped {
			dropped = append(dropped, ev["details"].(string))
		} else if d.Delivered {
			delivered = append(delivered, ev["details"].(string))
		}
	}
	if strings.Join(dropped, ",") != "2,3" || strings.Join(delivered, ",") != "1,4,5,6" {
		t.Errorf("dropped %v delivered %v", dropped, delivered)
	}
}

func TestWebhookDuplicatesAndNoURL(t *testing.T) {
	t.Parallel()
	rc, url := newReceiver(t, 0)
	e := start(t, Options{WebhookURL: url, WebhookDuplicateRate: 1})
	if err := e.sim.Trigger(TriggerEvent{HubID: e.firstOf("lock").HubID, MessageType: "online"}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 2 || !bytes.Equal(reqs[0].body, reqs[1].body) {
		t.Fatalf("%d requests, want the event twice", len(reqs))
	}

	quiet := start(t, Options{})
	if err := quiet.sim.Trigger(TriggerEvent{HubID: quiet.firstOf("lock").HubID, MessageType: "online"}); err != nil {
		t.Fatal(err)
	}
	d := quiet.sim.Deliveries()
	if len(d) != 1 || d[0].Delivered || d[0].Error != "no webhook url configured" {
		t.Errorf("without a URL: %+v", d)
	}
}
