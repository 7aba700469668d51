package live

import (
	"strconv"
	"testing"
)

// TestPublishAllocationsIndependentOfSubscribers checks that a fan-out allocates per event, not per subscriber:
// the same Publish costs the same allocations with 10 or 1,000 attached streams. Not parallel: AllocsPerRun
// counts the whole process.
func TestPublishAllocationsIndependentOfSubscribers(t *testing.T) {
	allocs := func(n int) float64 {
		b := New(nil, Options{Buffer: 256}) // room for every AllocsPerRun call: nothing reads these streams
		defer b.Close()
		for i := range n {
			c := &conn{
				sub:      Subscriber{UserID: int64(i), Match: func(Event) bool { return true }},
				streamID: "stream-" + strconv.Itoa(i),
				w:        &deadlineWriter{done: true}, // no connection behind it: a kick must not touch one
				cancel:   func() {},
			}
			b.server.CreateStream(c.streamID)
			defer b.server.RemoveStream(c.streamID) // no subscriber is attached: nothing waits on it
			if err := b.register(c); err != nil {
				t.Fatal(err)
			}
			defer b.wg.Done()
			defer b.unregister(c)
			c.attached.Store(true)
		}
		ev := Event{ID: 1, Name: "activity", Data: []byte("<tr>\n<td>x</td>\n</tr>")}
		return testing.AllocsPerRun(100, func() {
			if delivered, dropped := b.Publish(ev); delivered != n || dropped != 0 {
				t.Fatalf("Publish = (%d, %d), want (%d, 0)", delivered, dropped, n)
			}
		})
	}
	few, many := allocs(10), allocs(1000)
	t.Logf("allocations per Publish: %.0f with 10 subscribers, %.0f with 1000", few, many)
	// One allocation per subscriber would add about 990. The slack covers sync.Pool, which drops items at random
	// under the race detector, so the snapshot buffer is sometimes allocated afresh.
	if many-few > 50 {
		t.Errorf("Publish allocates %.0f times with 1000 subscribers but %.0f with 10: something is allocated per subscriber", many, few)
	}
}
