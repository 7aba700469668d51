package smarthome_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// Fast retries keep the 5xx tests quick; Retry-After (whole seconds on the simulator) still sets its own pace.
var fastRetry = smarthome.WithRetry(3, time.Millisecond, 4*time.Millisecond)

func TestContractRateLimitBurst(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	_, _, err := c.Hubs.List(t.Context(), nil) // log in first, so only the list meets the burst
	must(t, err)
	must(t, e.sim.SetFault(simulator.Fault{Route: "GET /api/hubs", Burst429: 2, RetryAfter: 1}))
	began := time.Now()
	hubs, _, err := c.Hubs.List(t.Context(), nil)
	must(t, err)
	if len(hubs) == 0 {
		t.Error("no hubs after the burst")
	}
	if n := c.rec.count("GET /api/hubs"); n != 4 {
		t.Errorf("GET /api/hubs sent %d times, want 4 (1 earlier, 2 limited, 1 through)", n)
	}
	if waited := time.Since(began); waited < 2*time.Second {
		t.Errorf("retried after %v, want Retry-After (1 s) honoured twice", waited)
	}
}

func TestContractLoginRateLimited(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	must(t, e.sim.SetFault(simulator.Fault{Route: "POST /api/agents", Burst429: 1, RetryAfter: 1}))
	c := e.installer()
	if _, _, err := c.Properties.List(t.Context(), nil); err != nil {
		t.Fatalf("list behind a rate-limited login: %v", err)
	}
	if n := c.rec.count("POST /api/agents"); n != 2 {
		t.Errorf("%d login attempts, want 2 (429, then through)", n)
	}
}

func TestContractRateLimitExhausted(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.client(smarthome.WithAgentLogin(installerUser, installerPass), smarthome.WithRetry(1, time.Millisecond, time.Millisecond))
	must(t, e.sim.SetFault(simulator.Fault{Route: "GET /api/properties", Burst429: 5, RetryAfter: 1}))
	_, _, err := c.Properties.List(t.Context(), nil)
	checkErr(t, err, smarthome.ErrRateLimited, "Rate Limit exceeded")
	var er *smarthome.ErrorResponse
	if !errors.As(err, &er) || er.RetryAfter != time.Second {
		t.Errorf("RetryAfter %v, want the simulator's 1 s", er.RetryAfter)
	}
	if n := c.rec.count("GET /api/properties"); n != 2 {
		t.Errorf("%d attempts, want 2 (one retry allowed)", n)
	}
}

func TestContractServerErrors(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.client(smarthome.WithAgentLogin(installerUser, installerPass), fastRetry)
	s := e.site(c, 101)
	must(t, e.sim.SetFault(simulator.Fault{Route: "GET /api/hubs/{id}", Rate: 1, Status: 503}))
	must(t, e.sim.SetFault(simulator.Fault{Route: "POST /api/hubs/{id}/commands", Rate: 1}))
	tests := []struct {
		name     string
		call     func() error
		route    string
		attempts int
		status   int
	}{
		{"GET is retried", func() error { _, _, err := c.Hubs.Get(t.Context(), s.hub.ID); return err },
			"GET /api/hubs/" + s.hub.ID, 1 + 3, 503},
		{"POST is not retried", func() error {
			_, _, err := c.Hubs.Command(t.Context(), s.hub.ID, smarthome.HubCommand{Command: smarthome.HubRefresh})
			return err
		}, "POST /api/hubs/" + s.hub.ID + "/commands", 1, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.count(tt.route)
			err := tt.call()
			checkErr(t, err, smarthome.ErrUnavailable, "Injected fault")
			var er *smarthome.ErrorResponse
			if errors.As(err, &er) && er.StatusCode != tt.status {
				t.Errorf("status %d, want %d", er.StatusCode, tt.status)
			}
			if n := c.rec.count(tt.route) - before; n != tt.attempts {
				t.Errorf("%d attempts, want %d", n, tt.attempts)
			}
		})
	}
	e.sim.ClearFaults()
	if _, _, err := c.Hubs.Get(t.Context(), s.hub.ID); err != nil {
		t.Errorf("after the faults cleared: %v", err)
	}
}

func TestContractLatencyDeadline(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	s := e.site(c, 101)
	// The reply would take 10 minutes (the longest fault): if the deadline were not honoured, the test binary's own timeout would end it.
	must(t, e.sim.SetFault(simulator.Fault{Route: "GET /api/devices/{id}", Latency: 10 * time.Minute}))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	d, _, err := c.Devices.Get(ctx, s.first(t, "lock").ID)
	if !errors.Is(err, context.DeadlineExceeded) || d != nil {
		t.Fatalf("err = %v (device %v), want context.DeadlineExceeded", err, d)
	}
}
