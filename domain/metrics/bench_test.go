package metrics

import (
	"testing"
	"time"
)

// BenchmarkHotPath is what a webhook delivery costs the metrics: its request's counter and histogram, and its
// result's precomputed counter.
func BenchmarkHotPath(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.HTTPRequest("POST /webhooks/smarthome", 200, time.Millisecond, false)
		m.Webhook("stored")
	}
}
