package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes one route, or every API route, misbehave: added latency, a burst of 429s, or errors at a rate. With
// Rate 1.0 (and a burst) the behaviour is deterministic; lower rates draw from a generator seeded by Options.Seed.
type Fault struct {
	Route      string        // method and pattern as registered, e.g. "PUT /api/devices/{id}"; empty = every API route
	Rate       float64       // probability (0..1) that a request fails with Status
	Status     int           // failure status; 0 = 500
	Latency    time.Duration // added before the request is served (wall-clock time)
	Burst429   int           // the next Burst429 requests answer 429 with Retry-After
	RetryAfter int           // seconds, for the 429s; 0 = 1
}

// faultJSON is Fault on the wire (POST /_sim/faults): latency in milliseconds.
type faultJSON struct {
	Route      string  `json:"route"`
	Rate       float64 `json:"rate"`
	Status     int     `json:"status"`
	LatencyMS  int64   `json:"latency_ms"`
	Burst429   int     `json:"burst_429"`
	RetryAfter int     `json:"retry_after"`
}

// MarshalJSON encodes the control-API shape.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{f.Route, f.Rate, f.Status, f.Latency.Milliseconds(), f.Burst429, f.RetryAfter})
}

// UnmarshalJSON decodes the control-API shape.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault{j.Route, j.Rate, j.Status, time.Duration(j.LatencyMS) * time.Millisecond, j.Burst429, j.RetryAfter}
	return nil
}

func (f Fault) validate(known map[string]bool) error {
	switch {
	case f.Route != "" && !known[f.Route]:
		return fmt.Errorf("simulator: fault route %q is not a registered route", f.Route)
	case f.Rate < 0 || f.Rate > 1:
		return errors.New("simulator: fault rate must be within 0..1")
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return errors.New("simulator: fault status must be 4xx or 5xx")
	case f.Latency < 0 || f.Latency > 10*time.Minute || f.Burst429 < 0 || f.RetryAfter < 0:
		return errors.New("simulator: fault latency, burst or retry_after out of range")
	}
	return nil
}

// faultSet holds the active faults, one per route.
type faultSet struct {
	mu     sync.Mutex
	faults map[string]*Fault // route -> fault; its Burst429 counts down
	rng    *rand.Rand
	known  map[string]bool // registered API patterns, to reject typos
}

func newFaultSet(seed int64) *faultSet {
	return &faultSet{faults: map[string]*Fault{}, rng: rand.New(rand.NewPCG(uint64(seed), 0xfa17)), known: map[string]bool{}}
}

// decision is what a request suffers.
type decision struct {
	latency    time.Duration
	status     int
	retryAfter int
	msg        string
}

// decide applies the route's fault, then the global one; the first failure wins, latencies add up.
func (fs *faultSet) decide(route string) decision {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var d decision
	for _, key := range []string{route, ""} {
		f := fs.faults[key]
		if f == nil {
			continue
		}
		d.latency += f.Latency
		if d.status != 0 {
			continue
		}
		switch {
		case f.Burst429 > 0:
			f.Burst429--
			d.status, d.retryAfter, d.msg = http.StatusTooManyRequests, cmpOr(f.RetryAfter, 1), "Rate Limit exceeded"
		case f.Rate > 0 && fs.rng.Float64() < f.Rate:
			d.status = cmpOr(f.Status, http.StatusInternalServerError)
			d.msg = "Injected fault: " + http.StatusText(d.status)
		}
	}
	return d
}

// withFaults wraps an API route so the fault set can delay or fail it.
func (s *Simulator) withFaults(pattern string, h http.Handler) http.Handler {
	s.faults.mu.Lock()
	s.faults.known[pattern] = true
	s.faults.mu.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.faults.decide(pattern)
		if d.latency > 0 {
			t := time.NewTimer(d.latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.ctx.Done():
				t.Stop()
				writeError(w, errf(http.StatusServiceUnavailable, "Simulator is shutting down"))
				return
			}
		}
		if d.status != 0 {
			if d.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
			}
			writeJSON(w, d.status, failure{Message: d.msg})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// SetFault installs f, replacing any fault on the same route.
func (s *Simulator) SetFault(f Fault) error {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if err := f.validate(s.faults.known); err != nil {
		return err
	}
	s.faults.faults[f.Route] = &f
	return nil
}

// ClearFaults removes every fault.
func (s *Simulator) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	clear(s.faults.faults)
}

// Faults returns the active faults (bursts show what is left of them), sorted by route.
func (s *Simulator) Faults() []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]Fault, 0, len(s.faults.faults))
	for _, f := range s.faults.faults {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Route, b.Route) })
	return out
}
