package commands

import (
	"log/slog"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
)

// TestCommandTrackerWatch: once the tracker has read the pending records, observations about devices and hubs
// without one are dropped before they cost a database read; a record just sent (Track) turns the filter off until
// the next read, so its confirmation is never dropped.
func TestCommandTrackerWatch(t *testing.T) {
	t.Parallel()
	tr := NewTracker(slog.New(slog.DiscardHandler), nil, nil, nil, Options{})
	dev := func(id string) observe.Observation { return observe.Observation{HubID: "h-other", DeviceID: id} }
	hub := func(id string) observe.Observation { return observe.Observation{HubID: id} }
	if !tr.concerns(dev("d-any")) || !tr.concerns(hub("h-any")) {
		t.Fatal("before its first read the tracker drops observations")
	}
	read := func(pending ...db.Command) { tr.setWatch(pending, tr.gen.Load()) }
	read(db.Command{HubID: "h-1", DeviceID: "d-1"}, db.Command{HubID: "h-2"})
	for _, tc := range []struct {
		ob   observe.Observation
		want bool
	}{
		{dev("d-1"), true}, {dev("d-2"), false}, {hub("h-2"), true}, {hub("h-1"), false}, // h-1 has only a device record
		{observe.Observation{HubID: "h-2", DeviceID: "d-9"}, false}, // a device event looks up the device's records only
	} {
		if got := tr.concerns(tc.ob); got != tc.want {
			t.Errorf("concerns(%+v) = %v, want %v", tc.ob, got, tc.want)
		}
	}
	tr.Observe(t.Context(), dev("d-2"))
	tr.Observe(t.Context(), dev("d-1"))
	if got := len(tr.seen); got != 1 {
		t.Errorf("%d observations queued, want 1 (the one about a pending record)", got)
	}

	before := tr.gen.Load()
	tr.Track()
	if !tr.concerns(dev("d-2")) {
		t.Error("right after Track an observation about a new record's device is dropped")
	}
	tr.setWatch(nil, before) // a read that began before Track cannot turn the filter back on
	if !tr.concerns(dev("d-2")) {
		t.Error("a read begun before Track turned the filter on")
	}
	read()
	if tr.concerns(dev("d-2")) {
		t.Error("after a fresh read with nothing pending, observations still pass")
	}
	read(make([]db.Command, db.MaxCommandLimit)...) // a list cut at its limit may miss records
	if !tr.concerns(dev("d-2")) {
		t.Error("a cut list turned the filter on")
	}
}
