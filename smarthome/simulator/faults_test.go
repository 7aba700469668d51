package simulator

import (
	"net/http"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock").ID

	t.Run("error rate 1 on one route", func(t *testing.T) {
		if err := e.sim.SetFault(Fault{Route: "PUT /api/devices/{id}", Rate: 1, Status: 503}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"lock"}}`, 503, nil)
		}
		e.call("GET", "/api/devices/"+lock, agent, nil, 200, nil) // other routes unaffected
		e.sim.ClearFaults()
		e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"lock"}}`, 200, nil)
	})
	t.Run("burst of 429 with Retry-After", func(t *testing.T) {
		if err := e.sim.SetFault(Fault{Route: "GET /api/hubs", Burst429: 2, RetryAfter: 7}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", e.sim.URL+"/api/hubs", nil)
			req.Header.Set("Authorization", "Bearer "+agent)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
				t.Fatalf("status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}
		e.call("GET", "/api/hubs", agent, nil, 200, nil)
		if f := e.sim.Faults(); len(f) != 1 || f[0].Burst429 != 0 {
			t.Errorf("faults after the burst %+v", f)
		}
		e.sim.ClearFaults()
	})
	t.Run("latency on every route", func(t *testing.T) {
		if err := e.sim.SetFault(Fault{Latency: 60 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		e.call("GET", "/api/properties", agent, nil, 200, nil)
		if took := time.Since(began); took < 60*time.Millisecond {
			t.Errorf("request took %v, want at least the injected latency", took)
		}
		e.sim.ClearFaults()
	})
	t.Run("login can fail too", func(t *testing.T) {
		if err := e.sim.SetFault(Fault{Route: "POST /api/agents", Rate: 1}); err != nil {
			t.Fatal(err)
		}
		e.call("POST", "/api/agents", "", `{"username":"demo-agent","password":"demo-agent-password","grant_type":"password"}`, 500, nil)
		e.sim.ClearFaults()
	})
	t.Run("invalid specs", func(t *testing.T) {
		for _, f := range []Fault{{Route: "GET /api/nowhere", Rate: 1}, {Rate: 2}, {Rate: 1, Status: 200}, {Burst429: -1}} {
			if err := e.sim.SetFault(f); err == nil {
				t.Errorf("SetFault(%+v) accepted", f)
			}
		}
	})
}

func TestFaultRateIsSeeded(t *testing.T) {
	t.Parallel()
	outcomes := func() []bool {
		fs := newFaultSet(42)
		fs.faults[""] = &Fault{Rate: 0.5}
		var out []bool
		for range 32 {
			out = append(out, fs.decide("GET /api/hubs").status != 0)
		}
		return out
	}
	a, b := outcomes(), outcomes()
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the same seed gave different fault sequences")
		}
		if a[i] {
			fails++
		}
	}
	if fails == 0 || fails == len(a) {
		t.Errorf("rate 0.5 failed %d of %d requests", fails, len(a))
	}
}
