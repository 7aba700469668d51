package handlers

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
)

// lcEnv is a testEnv served by a second server wired as cmd/web wires it for lock codes: with a code key and the
// webhook observers.
type lcEnv struct {
	*testEnv
	observed *observe.Observers
}

// lcProperty is the first property of the simulator's portfolio: New York (it has daylight saving), its hub always
// online, one or two locks.
const lcProperty int64 = 101

func newLCEnv(t *testing.T, opts ...envOption) *lcEnv {
	t.Helper()
	env := newTestEnv(t, opts...)
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &lcEnv{testEnv: env, observed: &observe.Observers{}}
	up := upstream.New(env.api)
	h := NewServer(Deps{Logger: logger, Store: env.store, Sessions: env.sessions, Hasher: env.hasher,
		Syncer: env.syncer, Upstream: up, Broker: env.broker, Observed: e.observed,
		Codes: startLockCodes(t, logger, env.store, up, env.broker)}, Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(env.broker.Close) // before srv.Close, which waits for open streams
	env.srv = srv
	return e
}

// startLockCodes builds a lock-code service with the test key, as cmd/web does, and runs its tracker until the
// test ends (then waits for it, before the store closes).
func startLockCodes(t *testing.T, logger *slog.Logger, store *db.Store, up *upstream.API, broker *live.Broker) *access.Service {
	t.Helper()
	svc := access.NewService(access.Config{Logger: logger, Store: store, Upstream: up,
		Key: access.DeriveCodeKey(testSecret), Notifier: NewLockCodePush(logger, store, broker)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Tracker().Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return svc
}

// locks returns the mirrored locks of a property, by name.
func (e *lcEnv) locks(t *testing.T, propertyID int64) []db.Device {
	t.Helper()
	devs, err := e.store.DevicesByProperty(t.Context(), propertyID)
	if err != nil {
		t.Fatal(err)
	}
	var out []db.Device
	for _, d := range devs {
		if lcIsLock(d.Type) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("property %d has no lock", propertyID)
	}
	return out
}

// codeFormValues is a valid issue form for every lock of the property, never expiring.
func codeFormValues(name, pin string) url.Values {
	return url.Values{"name": {name}, "pin": {pin}, "scope": {"all"}, "validity": {smarthome.ValidityNeverExpires}}
}

// create issues a code as c and returns its id (from the mirror: the newest code of that name).
func (e *lcEnv) create(t *testing.T, c *http.Client, propertyID int64, form url.Values) string {
	t.Helper()
	res := e.postForm(t, c, "/properties/"+strconv.FormatInt(propertyID, 10)+"/lock-codes", form)
	wantStatus(t, res, http.StatusSeeOther)
	return e.codeID(t, propertyID, form.Get("name"))
}

func (e *lcEnv) codeID(t *testing.T, propertyID int64, name string) string {
	t.Helper()
	codes, err := e.store.LockCodesByProperty(t.Context(), propertyID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(codes) - 1; i >= 0; i-- {
		if codes[i].Name == name {
			return codes[i].ID
		}
	}
	t.Fatalf("no code %q in the mirror of property %d", name, propertyID)
	return ""
}

// waitCode polls the mirror until cond holds for the code.
func (e *lcEnv) waitCode(t *testing.T, id, what string, cond func(db.LockCode) bool) db.LockCode {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := e.store.LockCode(t.Context(), id)
		if err == nil && cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("code %s never became %s (last %+v, %v)", id, what, c.Devices, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// allStatus reports whether every lock of c is in status.
func allStatus(status string) func(db.LockCode) bool {
	return func(c db.LockCode) bool {
		if len(c.Devices) == 0 {
			return false
		}
		for _, d := range c.Devices {
			if d.Status != status {
				return false
			}
		}
		return true
	}
}

// upstreamCode reads a code from the simulator.
func (e *lcEnv) upstreamCode(t *testing.T, id string) *smarthome.LockCode {
	t.Helper()
	lc, _, err := e.api.LockCodes.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("upstream code %s: %v", id, err)
	}
	return lc
}

func (e *lcEnv) auditFor(t *testing.T, action string) []db.AuditEntry {
	t.Helper()
	entries, err := e.store.ListAudit(t.Context(), db.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// noPIN fails if pin appears in the server's logs, or in any audit entry.
func (e *lcEnv) noPIN(t *testing.T, pin string) {
	t.Helper()
	if strings.Contains(e.logs.String(), pin) {
		t.Errorf("the PIN appears in the server log")
	}
	entries, err := e.store.ListAudit(t.Context(), db.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range entries {
		if strings.Contains(a.Detail, pin) || strings.Contains(a.TargetID, pin) {
			t.Errorf("audit entry %s carries the PIN", a.Action)
		}
	}
}

// lcEvent is one event read from /events.
type lcEvent struct{ name, data string }

// lcEvents reads server-sent events from resp until the test ends.
func lcEvents(t *testing.T, resp *http.Response) <-chan lcEvent {
	t.Helper()
	ch := make(chan lcEvent, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev lcEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					select {
					case ch <- ev:
					default:
					}
				}
				ev = lcEvent{}
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimPrefix(line, "data:") + "\n"
			}
		}
	}()
	return ch
}

// waitLCEvent waits for an event named name whose data contains want.
func waitLCEvent(t *testing.T, ctx context.Context, events <-chan lcEvent, name, want string) lcEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("stream ended before event %s with %q", name, want)
			}
			if ev.name == name && strings.Contains(ev.data, want) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event %s with %q", name, want)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}
