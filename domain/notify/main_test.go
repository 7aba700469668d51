package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable test clock; nothing in these tests sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// t0 is 15:04 UTC, 10:04 in New York: outside any quiet hours the tests set.
var t0 = time.Date(2027, 1, 12, 15, 4, 0, 0, time.UTC)

func newStore(t *testing.T) *db.Store {
	t.Helper()
	s, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// receiver is a webhook endpoint that checks every delivery's signature with the dashboard's own verifier and
// answers failFirst deliveries with 500 before it accepts.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	secret    string
	clock     *clock
	mu        sync.Mutex
	failFirst int
	got       []delivery
}

type delivery struct {
	ID     string
	Body   webhookBody
	Raw    []byte
	Status int
}

func newReceiver(t *testing.T, c *clock, secret string, failFirst int) *receiver {
	rx := &receiver{t: t, secret: secret, clock: c, failFirst: failFirst}
	rx.srv = httptest.NewServer(http.HandlerFunc(rx.serve))
	t.Cleanup(rx.srv.Close)
	return rx
}

func (rx *receiver) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if err := smarthome.VerifySignature(r.Header, raw, []string{rx.secret}, rx.clock.Now()); err != nil {
		rx.t.Errorf("delivery %s: signature: %v", r.Header.Get("webhook-id"), err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var body webhookBody
	if err := json.Unmarshal(raw, &body); err != nil {
		rx.t.Errorf("delivery body is not JSON: %v\n%s", err, raw)
	}
	rx.mu.Lock()
	defer rx.mu.Unlock()
	status := http.StatusNoContent
	if len(rx.got) < rx.failFirst {
		status = http.StatusInternalServerError
	}
	rx.got = append(rx.got, delivery{ID: r.Header.Get("webhook-id"), Body: body, Raw: raw, Status: status})
	w.WriteHeader(status)
}

func (rx *receiver) deliveries() []delivery {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return append([]delivery(nil), rx.got...)
}

// endpoint registers rx in the store.
func endpoint(t *testing.T, s *db.Store, name string, rx *receiver) db.NotifyEndpoint {
	t.Helper()
	e, err := s.CreateNotifyEndpoint(t.Context(), db.NotifyEndpoint{Name: name, URL: rx.srv.URL + "/hook?k=1", Secret: rx.secret})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func rule(t *testing.T, s *db.Store, r db.NotifyRule) db.NotifyRule {
	t.Helper()
	if r.MinSeverity == "" {
		r.MinSeverity = db.SeverityWarning
	}
	if r.QuietStart == 0 && r.QuietEnd == 0 {
		r.QuietStart, r.QuietEnd = -1, -1
	}
	r.Enabled = true
	out, err := s.CreateNotifyRule(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func leak(id int64) Alert {
	return Alert{ID: id, Kind: "leak", Severity: "critical", State: "open", PropertyID: "7", PropertyName: "12 Oak Court",
		HubID: "hub-1", DeviceID: "dev-9", DeviceName: "Kitchen sensor", Detail: "water detected", Zone: "America/New_York",
		OpenedAt: t0}
}

func notifications(t *testing.T, s *db.Store, alertID int64) []db.Notification {
	t.Helper()
	ns, err := s.ListNotifications(t.Context(), db.NotificationFilter{AlertID: alertID})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	return ctx, cancel
}
