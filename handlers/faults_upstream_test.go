package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// upstreamLockMode reads a lock's mode from the simulator (the hardware's truth), not from the mirror.
func (e *faultEnv) upstreamLockMode(t *testing.T, id string) string {
	t.Helper()
	d, _, err := e.api.Devices.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("upstream device %s: %v", id, err)
	}
	st, err := d.LockStatus()
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode.Type
}

// mirrorLockMode reads a lock's mode from the dashboard's mirror.
func (e *faultEnv) mirrorLockMode(t *testing.T, id string) string {
	t.Helper()
	d, err := e.store.Device(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return lockState(d.State)
}

// TestFaultsCommands: a lock command against an upstream that rate-limits, fails, hangs or has lost its hub. Each
// ends with a settled record that says what happened; a failed one leaves the mirror (and the lock) as it was.
func TestFaultsCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  func(t *testing.T, e *faultEnv, hubID string)
		status int    // the form's answer
		want   string // the settled record's status
		reason string // in the record's reason (failed) and, for refused sends, in the form
	}{
		{"429 burst shorter than the retries", func(t *testing.T, e *faultEnv, _ string) {
			e.setFault(t, simulator.Fault{Route: "PUT /api/devices/{id}", Burst429: faultRetries - 1, RetryAfter: 1})
		}, http.StatusOK, db.CommandSucceeded, ""},
		{"persistent 5xx", func(t *testing.T, e *faultEnv, _ string) {
			e.setFault(t, simulator.Fault{Route: "PUT /api/devices/{id}", Rate: 1, Status: http.StatusServiceUnavailable})
		}, http.StatusBadGateway, db.CommandFailed, "The Smart Home service failed"},
		{"latency beyond the timeout", func(t *testing.T, e *faultEnv, _ string) {
			e.setFault(t, simulator.Fault{Route: "PUT /api/devices/{id}", Latency: faultLatency})
		}, http.StatusGatewayTimeout, db.CommandFailed, "did not answer in time"},
		{"hub offline", func(t *testing.T, e *faultEnv, hubID string) {
			if err := e.sim.SetHubOnline(hubID, false); err != nil {
				t.Fatal(err)
			}
		}, http.StatusOK, db.CommandFailed, "No confirmation from the device within 5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newFaultEnv(t)
			dev, hub := env.cmd.findDevice(t, "lock", nil)
			action, want := opposite(dev.State)
			before := env.mirrorLockMode(t, dev.ID)
			c := env.signedInClient(t, db.RoleStaff)
			tt.fault(t, env, hub.ID)

			res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {action}}, htmx)
			wantStatus(t, res, tt.status)
			if tt.status != http.StatusOK {
				if msg := text(one(t, res.doc, "command-error")); !strings.Contains(msg, tt.reason) ||
					!strings.Contains(msg, "recorded as failed") {
					t.Errorf("form error %q, want %q and that it is recorded as failed", msg, tt.reason)
				}
			}
			rec := env.cmd.lastCommand(t, hub.ID, dev.ID)
			done := env.cmd.waitCommand(t, rec.ID, "settled", func(c db.Command) bool { return c.Status != db.CommandPending })
			if done.Status != tt.want || !strings.Contains(done.Reason, tt.reason) {
				t.Fatalf("record %s %q, want %s with %q", done.Status, done.Reason, tt.want, tt.reason)
			}
			if tt.want == db.CommandSucceeded {
				faultsWaitFor(t, 5*time.Second, "the mirror to show "+want, func() bool { return env.mirrorLockMode(t, dev.ID) == want })
				return
			}
			if tt.name == "hub offline" {
				_ = env.sim.SetHubOnline(hub.ID, true) // the lock can be read again; it never saw the command
			}
			env.sim.ClearFaults()
			if got := env.mirrorLockMode(t, dev.ID); got != before {
				t.Errorf("mirror shows %q after a failed command, was %q", got, before)
			}
			if tt.name == "latency beyond the timeout" {
				// The PUT may still be served after the client gave up: the record must not claim nothing changed.
				if strings.Contains(done.Reason, "Nothing was changed") {
					t.Errorf("reason %q claims nothing changed after an unanswered send", done.Reason)
				}
			} else if got := env.upstreamLockMode(t, dev.ID); got != before {
				t.Errorf("the lock is %q upstream after a failed command, was %q", got, before)
			}
			if a := env.cmd.auditEntries(t, "device."+action); len(a) != 1 || (tt.status != http.StatusOK && a[0].Outcome != db.OutcomeFailed) {
				t.Errorf("audit %+v, want one entry (failed when the send was refused)", a)
			}
		})
	}
}

// faultsWaitFor polls cond every 20 ms until it holds or timeout passes.
func faultsWaitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
