package live

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFanout fans one ~2 KB event out to 1,000 subscribers over loopback TCP and waits until every one of them
// has read it: ns/op is that round, p50-ms/p99-ms the publish→receive latency of single deliveries. heap-B/sub is
// the heap in use per connection at rest and stack-B/sub the goroutine stacks, both counting both ends (the test's
// client lives in the same process); server-goroutines/sub is what each open stream costs the server. Run with: go test -run '^$' -bench Fanout.
func BenchmarkFanout(b *testing.B) {
	const subs = 1000
	h := newHarness(b, harnessConfig{})
	defer h.close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()
	clients := make([]*sseClient, subs)
	for i := range clients {
		clients[i] = dialSSE(b, h.addr(), "user="+strconv.Itoa(i), nil, 0)
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	runtime.GC()
	runtime.ReadMemStats(&after)
	serverGoroutines := float64(runtime.NumGoroutine()-goroutinesBefore) / subs
	heapPerSub := (float64(after.HeapInuse) - float64(before.HeapInuse)) / subs
	stackPerSub := (float64(after.StackInuse) - float64(before.StackInuse)) / subs

	var received atomic.Int64
	round := make(chan struct{}, 1)
	latencies := make([][]time.Duration, subs)
	var readers sync.WaitGroup
	for i, c := range clients {
		readers.Go(func() {
			_ = scanEvents(c, func(_ string, at time.Time) bool {
				latencies[i] = append(latencies[i], time.Since(at))
				if received.Add(1)%subs == 0 {
					round <- struct{}{}
				}
				return true
			})
		})
	}

	body := fragment(2048)
	var id int64
	for b.Loop() {
		id++
		h.b.Publish(Event{ID: id, Name: "activity", Data: stamped(time.Now(), body)})
		select {
		case <-round:
		case <-time.After(readWait):
			b.Fatalf("event %d reached %d of %d subscribers", id, received.Load()%subs, subs)
		}
	}
	for _, c := range clients {
		c.close()
	}
	readers.Wait()

	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(heapPerSub, "heap-B/sub")
	b.ReportMetric(stackPerSub, "stack-B/sub")
	b.ReportMetric(serverGoroutines, "server-goroutines/sub")
	if st := h.b.Stats(); st.Dropped > 0 {
		b.Errorf("dropped %d copies in a closed-loop benchmark", st.Dropped)
	}
}
