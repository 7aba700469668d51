package handlers

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// deadUpstreamTimeout is the client timeout against the listener that never answers: short, so the table stays fast.
const deadUpstreamTimeout = 300 * time.Millisecond

// closedPortURL is the URL of a loopback port nothing listens on: every dial is refused.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// silentURL is the URL of a listener that accepts connections and never answers; they close when the test ends.
func silentURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// recordedLog keeps every slog record a server writes, so a test can look for one by its attributes.
type recordedLog struct {
	mu      sync.Mutex
	records []map[string]string // message under "msg", level under "level", then each attribute as text
}

func (l *recordedLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordedLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recordedLog) WithGroup(string) slog.Handler            { return l }

func (l *recordedLog) Handle(_ context.Context, r slog.Record) error {
	rec := map[string]string{"msg": r.Message, "level": r.Level.String()}
	r.Attrs(func(a slog.Attr) bool {
		rec[a.Key] = a.Value.Resolve().String()
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, rec)
	return nil
}

// find returns the first record whose attributes include every key and value of want.
func (l *recordedLog) find(want map[string]string) map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, rec := range l.records {
		ok := true
		for k, v := range want {
			if rec[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return rec
		}
	}
	return nil
}

func (l *recordedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, rec := range l.records {
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.Join(mapPairs(rec), " "), "\n", " ")) + "\n")
	}
	return b.String()
}

func mapPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// deadUpstreamEnv is an access env (its mirror filled from the simulator) served by a second server whose upstream
// client points at baseURL, with the given client timeout and no retries to wait through.
func deadUpstreamEnv(t *testing.T, baseURL string, timeout time.Duration) (*accessEnv, *recordedLog) {
	t.Helper()
	a := newAccessEnv(t)
	agent := simulator.DefaultAgents()[0]
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	api, err := smarthome.NewClient(smarthome.WithBaseURL(baseURL), smarthome.WithAgentLogin(agent.Username, agent.Password),
		smarthome.WithHTTPClient(&http.Client{Transport: tr, Timeout: timeout}),
		smarthome.WithRetry(1, time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	logs := &recordedLog{}
	up := upstream.New(api)
	h := NewServer(Deps{Logger: slog.New(logs), Store: a.store, Sessions: a.sessions, Hasher: a.hasher, Syncer: a.syncer,
		Upstream: up, Broker: a.broker, Observed: &observe.Observers{},
		Codes: startLockCodes(t, slog.New(logs), a.store, up, a.broker)}, Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(a.broker.Close) // before srv.Close, which waits for open streams
	a.srv = srv
	return a, logs
}

// unreachableWrite is one upstream write, sent through the dashboard while the upstream cannot be reached.
type unreachableWrite struct {
	name    string
	route   string // the route pattern the log line names
	op      string // the upstream operation the log line names
	send    func(t *testing.T, a *accessEnv, c *http.Client) response
	message string // data-testid of the element that carries the message
	written func(t *testing.T, a *accessEnv) bool
	action  string // audit action (a prefix), which must not be recorded as ok
}

var unreachableWrites = []unreachableWrite{
	{name: "device command", route: "POST /devices/{id}/commands", op: "SendDeviceCommand",
		send: func(t *testing.T, a *accessEnv, c *http.Client) response {
			action, _ := opposite(a.locks[0].State)
			return a.postForm(t, c, "/devices/"+a.locks[0].ID+"/commands", url.Values{"action": {action}}, htmx)
		},
		message: "command-error", action: "device.",
		written: func(t *testing.T, a *accessEnv) bool {
			d, err := a.store.Device(t.Context(), a.locks[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return lockState(d.State) != lockState(a.locks[0].State)
		}},
	{name: "lock-code create", route: "POST /properties/{id}/lock-codes", op: "CreateLockCode",
		send: func(t *testing.T, a *accessEnv, c *http.Client) response {
			return a.postForm(t, c, "/properties/"+a.pid()+"/lock-codes", codeFormValues("Unreachable", "582914"))
		},
		message: "lock-code-form-problem", action: "lock_code.create",
		written: func(t *testing.T, a *accessEnv) bool {
			codes, err := a.store.LockCodesByProperty(t.Context(), a.prop.ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return len(codes) > 0
		}},
	{name: "reservation create", route: "POST /reservations", op: "CreateReservation",
		send: func(t *testing.T, a *accessEnv, c *http.Client) response {
			in := time.Now().Add(24 * time.Hour)
			return a.postForm(t, c, "/reservations", a.reservationForm("Dana", in, in.Add(2*time.Hour)))
		},
		message: "form-errors", action: "reservation.create",
		written: func(t *testing.T, a *accessEnv) bool {
			rs, err := a.store.ReservationsByProperty(t.Context(), a.prop.ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return len(rs) > 0
		}},
	{name: "property create", route: "POST /properties/new", op: "CreateProperty",
		send: func(t *testing.T, a *accessEnv, c *http.Client) response {
			return a.postForm(t, c, "/properties/new", propertyForm("Unreachable Lane", "1 Unreachable Lane", "Austin",
				"TX", "78701", "America/Chicago"))
		},
		message: "property-form-errors", action: "property.create",
		written: func(t *testing.T, a *accessEnv) bool {
			props, err := a.store.ListProperties(t.Context(), db.PropertyFilter{Query: "Unreachable Lane", PerPage: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(props.Items) > 0
		}},
}

// TestUpstreamUnreachable: with the Smart Home service unreachable (connection refused, or a listener that never
// answers), every write answers 502 or 504 with a message that says so, what happened to the change and what to
// do; nothing is mirrored or audited as done; and one log line names the route, the operation and the class.
func TestUpstreamUnreachable(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name    string
		url     func(t *testing.T) string
		timeout time.Duration
		status  int
		class   string
		want    []string // in the message
	}{
		{"connection refused", closedPortURL, 5 * time.Second, http.StatusBadGateway, "unreachable",
			[]string{"could not be reached", "Nothing was changed", "Try again in a minute", "SMARTHOME_API_URL"}},
		{"no answer", silentURL, deadUpstreamTimeout, http.StatusGatewayTimeout, "timeout",
			[]string{"could not be reached", "did not answer in time", "may not have reached it", "SMARTHOME_API_URL"}},
	}
	for _, f := range faults {
		for _, w := range unreachableWrites {
			t.Run(f.name+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				a, logs := deadUpstreamEnv(t, f.url(t), f.timeout)
				c := a.signedInClient(t, db.RoleAdmin)
				res := w.send(t, a, c)
				wantStatus(t, res, f.status)
				msg := text(one(t, res.doc, w.message))
				for _, s := range f.want {
					if !strings.Contains(msg, s) {
						t.Errorf("message %q lacks %q", msg, s)
					}
				}
				if w.written(t, a) {
					t.Error("the mirror took the change the upstream never confirmed")
				}
				for _, e := range a.audits(t) {
					if strings.HasPrefix(e.Action, w.action) && e.Outcome == db.OutcomeOK {
						t.Errorf("audited as done: %+v", e)
					}
				}
				rec := logs.find(map[string]string{"msg": "upstream unreachable", "route": w.route, "op": w.op, "class": f.class})
				if rec == nil {
					t.Fatalf("no log line for route %q op %q class %q; logs:\n%s", w.route, w.op, f.class, logs)
				}
				if rec["level"] != "WARN" && rec["level"] != "ERROR" {
					t.Errorf("logged at %s", rec["level"])
				}
				if rec["err"] == "" || rec["status"] != strconv.Itoa(f.status) {
					t.Errorf("log line %v: want the error text and status %d", rec, f.status)
				}
			})
		}
	}
}
