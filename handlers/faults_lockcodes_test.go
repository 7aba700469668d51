package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestFaultsLockCodes: issuing a code against an upstream that rate-limits, fails, hangs or has lost its hub. A
// burst of 429s is absorbed by the retries and the code is set; a refused or unanswered create answers the form
// with the reason and what to do, and leaves no code in the mirror (nor upstream); behind an offline hub the code
// is accepted and then shown failed with "Hub offline" on every lock, never as set.
func TestFaultsLockCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   func(t *testing.T, e *faultEnv)
		status  int    // the form's answer: 303 when the upstream took the code
		problem string // the form's problem (refused sends), or the failure reason on each lock (accepted ones)
		final   string // the code's state on each lock, for accepted sends
	}{
		{"429 burst shorter than the retries", func(t *testing.T, e *faultEnv) {
			e.setFault(t, simulator.Fault{Route: "POST /api/lock_codes", Burst429: faultRetries - 1, RetryAfter: 1})
		}, http.StatusSeeOther, "", db.LockCodeSet},
		{"persistent 5xx", func(t *testing.T, e *faultEnv) {
			e.setFault(t, simulator.Fault{Route: "POST /api/lock_codes", Rate: 1, Status: http.StatusInternalServerError})
		}, http.StatusBadGateway, "The Smart Home service failed", ""},
		{"latency beyond the timeout", func(t *testing.T, e *faultEnv) {
			e.setFault(t, simulator.Fault{Route: "POST /api/lock_codes", Latency: faultLatency})
		}, http.StatusGatewayTimeout, "did not answer in time", ""},
		{"hub offline", func(t *testing.T, e *faultEnv) {
			hubs, err := e.store.HubsByProperty(t.Context(), lcProperty)
			if err != nil || len(hubs) == 0 {
				t.Fatalf("hubs of property %d: %v", lcProperty, err)
			}
			if err := e.sim.SetHubOnline(hubs[0].ID, false); err != nil {
				t.Fatal(err)
			}
		}, http.StatusSeeOther, "Hub offline", db.LockCodeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newFaultEnv(t)
			c := env.signedInClient(t, db.RoleStaff)
			before := env.lc.upstreamCodeCount(t, lcProperty)
			tt.fault(t, env)
			const pin = "638204"
			res := env.postForm(t, c, "/properties/101/lock-codes", codeFormValues("Fault "+tt.name, pin))
			wantStatus(t, res, tt.status)
			if strings.Contains(res.body, pin) {
				t.Error("the answer shows the PIN")
			}
			defer env.lc.noPIN(t, pin)
			if tt.status == http.StatusSeeOther {
				id := env.lc.codeID(t, lcProperty, "Fault "+tt.name)
				code := env.lc.waitCode(t, id, tt.final, allStatus(tt.final))
				for _, d := range code.Devices {
					if !strings.Contains(strings.ToLower(d.Error), strings.ToLower(tt.problem)) {
						t.Errorf("lock %s: reason %q, want %q", d.DeviceID, d.Error, tt.problem)
					}
				}
				return
			}
			if msg := text(one(t, res.doc, "lock-code-form-problem")); !strings.Contains(msg, tt.problem) {
				t.Errorf("form problem %q, want %q", msg, tt.problem)
			}
			one(t, res.doc, "lock-code-form-advice")
			if codes, _ := env.store.LockCodesByProperty(t.Context(), lcProperty, time.Time{}); len(codes) != 0 {
				t.Errorf("%d codes in the mirror after a create that failed", len(codes))
			}
			env.sim.ClearFaults()
			if got := env.lc.upstreamCodeCount(t, lcProperty); got != before {
				t.Errorf("upstream has %d codes, had %d: the failed create went through", got, before)
			}
			if a := env.lc.auditFor(t, "lock_code.create"); len(a) != 1 || a[0].Outcome != db.OutcomeFailed {
				t.Errorf("audit %+v, want one failed entry", a)
			}
		})
	}
}
