package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// whEnv is a testEnv served with webhook secrets and an observer that records what the receiver reports.
type whEnv struct {
	*testEnv
	secrets []string

	mu  sync.Mutex
	obs []observe.Observation
}

func newWebhookEnv(t *testing.T, secrets ...string) *whEnv {
	t.Helper()
	env := newTestEnv(t)
	e := &whEnv{testEnv: env, secrets: secrets}
	observed := &observe.Observers{}
	observed.Add(func(_ context.Context, ob observe.Observation) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.obs = append(e.obs, ob)
	})
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := NewServer(Deps{Logger: logger, Store: env.store, Sessions: env.sessions, Hasher: env.hasher, Syncer: env.syncer,
		Upstream: upstream.New(env.api), Broker: env.broker, Observed: observed}, Options{WebhookSecrets: secrets, APIRate: testAPIRate})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(env.broker.Close) // before srv.Close, which waits for open streams
	env.srv = srv
	return e
}

func (e *whEnv) observations() []observe.Observation {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]observe.Observation(nil), e.obs...)
}

// whReply is the receiver's answer.
type whReply struct {
	status int
	body   string
}

// post delivers body to the receiver at path (with a query such as ?token=...) and the given headers.
func (e *whEnv) post(t *testing.T, query string, body []byte, hdr http.Header) whReply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/webhooks/smarthome"+query,
		strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return whReply{resp.StatusCode, string(b)}
}

// signed returns Standard Webhooks headers for body, made with secret at ts.
func signed(id string, ts time.Time, body []byte, secret string) http.Header {
	return http.Header{
		http.CanonicalHeaderKey(smarthome.HeaderWebhookID):        {id},
		http.CanonicalHeaderKey(smarthome.HeaderWebhookTimestamp): {fmt.Sprint(ts.Unix())},
		http.CanonicalHeaderKey(smarthome.HeaderWebhookSignature): {smarthome.Sign(id, ts, body, secret)},
	}
}

// deviceEvent is a webhook body about a mirrored device, at at.
func deviceEvent(dev db.Device, hub db.Hub, messageType, details, user string, at time.Time) []byte {
	b := fmt.Sprintf(`{"hub_id":%q,"home_name":%q,"serial_no":%q,"address":"","pms_datapull_id":"","device_id":%q,`+
		`"device_name":%q,"device_type":%q,"message_type":%q,"activity_time":%d`,
		hub.ID, hub.HomeName, hub.SerialNo, dev.ID, dev.Name, dev.Type, messageType, at.UnixMilli())
	if details != "" {
		b += `,"details":` + details
	}
	if user != "" {
		b += fmt.Sprintf(`,"User":%q`, user)
	}
	return []byte(b + "}")
}

// hubEvent is a webhook body about a mirrored hub, at at.
func hubEvent(hub db.Hub, messageType, details string, at time.Time) []byte {
	return fmt.Appendf(nil, `{"hub_id":%q,"home_name":%q,"serial_no":%q,"address":"","pms_datapull_id":"",`+
		`"device_type":"hub","message_type":%q,"details":%s,"activity_time":%d}`,
		hub.ID, hub.HomeName, hub.SerialNo, messageType, details, at.UnixMilli())
}

// mirrored finds a device of the type on an online hub with a property, and its hub.
func (e *whEnv) mirrored(t *testing.T, deviceType string) (db.Device, db.Hub) {
	t.Helper()
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		if !h.Hub.Online || h.Hub.PropertyID == nil {
			continue
		}
		devs, err := e.store.DevicesByHub(t.Context(), h.Hub.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == deviceType && d.PropertyID != nil {
				return d, h.Hub
			}
		}
	}
	t.Fatalf("no %s on an online, assigned hub", deviceType)
	return db.Device{}, db.Hub{}
}

// inbox lists every inbox entry, newest first.
func (e *whEnv) inbox(t *testing.T) []db.InboxEntry {
	t.Helper()
	pg, err := e.store.ListInbox(t.Context(), db.InboxFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

// activities lists the newest activities.
func (e *whEnv) activities(t *testing.T, f db.ActivityFilter) []db.ActivityView {
	t.Helper()
	f.Limit = db.MaxActivityLimit
	pg, err := e.store.ListActivities(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}
