package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
)

var targets = []target{
	{HubID: "h1", HomeName: "Maple 1", Serial: "30001", DeviceID: "d1", DeviceName: "Front door", DeviceType: "lock", PropertyID: 7},
	{HubID: "h2", HomeName: "Oak 2", Serial: "30002", DeviceID: "d2", DeviceName: "Back door", DeviceType: "lock", PropertyID: 8},
}

// TestWebhookBodies: every generated delivery is a valid, distinct webhook in the documented envelope.
func TestWebhookBodies(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	kinds := map[smarthome.EventKind]bool{}
	for i := range int64(40) {
		b := webhookBody(targets, i, time.UnixMilli(1546862518845))
		ev, err := smarthome.ParseEvent(b)
		if err != nil {
			t.Fatalf("delivery %d: %v\n%s", i, err, b)
		}
		if seen[string(b)] {
			t.Fatalf("delivery %d repeats an earlier one", i)
		}
		seen[string(b)] = true
		kinds[smarthome.Kind(ev)] = true
	}
	for _, k := range []smarthome.EventKind{smarthome.KindLockLocked, smarthome.KindLockUnlocked, smarthome.KindHubHeartbeat} {
		if !kinds[k] {
			t.Errorf("the mix never sends %s", k)
		}
	}
}

func TestSyntheticItems(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	end := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	prev := time.Time{}
	for i := range 1000 {
		it := syntheticItem(rng, targets, i, 1000, end)
		a := it.Activity
		if a.HubID == "" || a.MessageType == "" || a.Kind == "" || len(it.Body) == 0 {
			t.Fatalf("item %d incomplete: %+v", i, a)
		}
		if a.At.After(end.Add(time.Minute)) || a.At.Before(end.Add(-fillSpan)) {
			t.Fatalf("item %d at %v, outside the span", i, a.At)
		}
		if !prev.IsZero() && a.At.Before(prev.Add(-2*time.Minute)) {
			t.Fatalf("item %d at %v goes back from %v: deliveries should arrive roughly in order", i, a.At, prev)
		}
		prev = a.At
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}}
	for _, tt := range tests {
		if got := percentile(d, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if percentile(nil, 0.5) != 0 {
		t.Error("empty input")
	}
}

// TestReportMachineFacts: the report names the machine and the date, and states the targets.
func TestReportMachineFacts(t *testing.T) {
	t.Parallel()
	r := report{Started: time.Now(), Finished: time.Now()}
	if err := r.machine(); err != nil {
		t.Fatal(err)
	}
	r.Ingest = []throughput{{Name: "bare", PerSec: 100}, {Name: "hook", PerSec: 40}}
	md := r.markdown()
	for _, want := range []string{"CPUs (`nproc`)", "CPU model", "| Go | go1.", "Date", "**40%**"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if r.CPUs < 1 || r.GoVersion == "" {
		t.Errorf("machine facts %+v", r)
	}
}

// TestTallyLatencies: every subscriber's arrivals count for its own instance (s % instances) and for the whole,
// against each delivery's send time; an event that was not timed (the warm-up) counts for neither.
func TestTallyLatencies(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	sent := map[int64]time.Time{1: t0, 2: t0.Add(time.Second)}
	at := func(id int64, ms int) received {
		return received{id: id, at: sent[id].Add(time.Duration(ms) * time.Millisecond)}
	}
	got := [][]received{
		{{id: 99, at: t0}, at(1, 10), at(2, 20)}, // A
		{at(1, 40), at(2, 80)},                   // B
		{at(1, 12)},                              // A, missed delivery 2
	}
	res := sseResult{Deliveries: 2, Instances: []sseResult{{Name: "A"}, {Name: "B"}}}
	res.tallyLatencies(got, sent)
	a, b := res.Instances[0], res.Instances[1]
	if a.Subscribers != 2 || a.Expected != 4 || a.Received != 3 || a.P50ms != 12 || a.MaxMs != 20 {
		t.Errorf("A: %+v", a)
	}
	if b.Subscribers != 1 || b.Expected != 2 || b.Received != 2 || b.P99ms != 80 {
		t.Errorf("B: %+v", b)
	}
	if res.Received != 5 || res.MaxMs != 80 || res.P50ms != 20 {
		t.Errorf("all: %+v", res)
	}
}

// TestReportPostgresTargets: the PostgreSQL rows sit beside SQLite's, and each target says met or missed.
func TestReportPostgresTargets(t *testing.T) {
	t.Parallel()
	r := report{Started: time.Now(), Finished: time.Now(), Ingest: []throughput{{Name: "bare", PerSec: 10_000},
		{Name: "hook", PerSec: 3_000}}, SSE: &sseResult{Subscribers: 2, Expected: 2, Received: 2, P99ms: 30}}
	r.PG = &pgReport{Server: "PostgreSQL 15.8; fsync=on", One: throughput{Name: "pg one", PerSec: 2_000},
		Two: throughput{Name: "pg two", PerSec: 3_300}, SSE: &sseResult{Subscribers: 2, Expected: 2, Received: 2,
			Instances: []sseResult{{Name: "A", Expected: 1, Received: 1, P99ms: 20}, {Name: "B", Expected: 1, Received: 1, P99ms: 120}}}}
	md := r.markdown()
	for _, want := range []string{"| PostgreSQL | PostgreSQL 15.8; fsync=on |", "| pg two | 3300 | 33% |",
		"1.10× the SQLite figure", "least the SQLite figure: **met**", "| PostgreSQL, B | 0 | 1 | 1 | 0.0 | 120.0 |",
		"(B's subscribers, every event received): **missed**", "(targets: ≥ 10,000/s and ≥ 30%: **missed**)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	r.PG = &pgReport{Skipped: "pgtest: PostgreSQL is not installed"}
	if md := r.markdown(); !strings.Contains(md, "| PostgreSQL | not measured: pgtest: PostgreSQL is not installed |") {
		t.Error("a skipped PostgreSQL is not said so")
	}
}
