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
