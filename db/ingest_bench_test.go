package db

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIngest writes activities from 256 concurrent goroutines through the group-commit writer.
func BenchmarkIngest(b *testing.B) {
	s := newStore(b)
	must(b, s.ApplySync(b.Context(), genSnapshot(50, 2, 8, t0)))
	var n atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/256 + 1
	for range 256 {
		wg.Go(func() {
			for range per {
				i := n.Add(1)
				a := newActivity(int(i), time.Duration(i)*time.Millisecond)
				a.DedupeKey = sha256.Sum256(fmt.Appendf(nil, "bench-%d", i))
				if _, err := s.Ingest(b.Context(), IngestItem{Activity: a, Body: []byte(`{"hub_id":"hub-000000"}`)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := s.IngestStats()
	b.ReportMetric(float64(st.Items)/float64(max(st.Batches, 1)), "items/batch")
}

// BenchmarkIngestLive is BenchmarkIngest with the webhook mix's mirror updates: locks and unlocks of 400 devices
// and heartbeats of 100 hubs, spread over them.
func BenchmarkIngestLive(b *testing.B) {
	s := newStore(b)
	must(b, s.ApplySync(b.Context(), genSnapshot(50, 2, 4, t0)))
	var n atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/256 + 1
	for range 256 {
		wg.Go(func() {
			for range per {
				i := n.Add(1)
				at := t0.Add(time.Duration(i) * time.Millisecond)
				a := newActivity(int(i), time.Duration(i)*time.Millisecond)
				a.HubID, a.DeviceID = fmt.Sprintf("hub-%06d", i%100), fmt.Sprintf("dev-%07d", i%400)
				a.DedupeKey = DedupeKey(at, sha256.Sum256(fmt.Appendf(nil, "bench-%d", i)))
				live := &LiveChange{HubID: a.HubID, DeviceID: a.DeviceID, At: at}
				switch i % 4 {
				case 0:
					live.State = map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"locked"}`)}
				case 1:
					live.State = map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"unlocked"}`)}
				case 2:
					live = nil
				case 3:
					live.DeviceID, live.Heartbeat = "", true
				}
				if _, err := s.Ingest(b.Context(), IngestItem{Activity: a, Body: []byte(`{"hub_id":"hub-000000"}`), Live: live}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := s.IngestStats()
	b.ReportMetric(float64(st.Items)/float64(max(st.Batches, 1)), "items/batch")
}
