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

// BenchmarkJournalAppend is BenchmarkIngest's load on the request path as webhooks now take it: appends to the
// journal through the group-commit writer (no activity, search row, body row or mirror change yet).
func BenchmarkJournalAppend(b *testing.B) {
	s := newStore(b)
	var n atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/256 + 1
	for range 256 {
		wg.Go(func() {
			for range per {
				i := n.Add(1)
				e := JournalEntry{DedupeKey: sha256.Sum256(fmt.Appendf(nil, "bench-%d", i)), ReceivedAt: t0,
					Body: fmt.Appendf(nil, `{"hub_id":"hub-000000","n":%d}`, i)}
				if _, err := s.Append(b.Context(), e); err != nil {
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

// BenchmarkProjectCatchUp measures the projector's store side on a backlog: b.N journal rows appended first
// (untimed), then projected in batches of 2000 with BenchmarkIngestLive's mix of mirror changes.
func BenchmarkProjectCatchUp(b *testing.B) {
	s := newStore(b)
	must(b, s.ApplySync(b.Context(), genSnapshot(50, 2, 4, t0)))
	items := make([]IngestItem, 0, b.N)
	for i := range b.N {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		a := newActivity(i, time.Duration(i)*time.Millisecond)
		a.HubID, a.DeviceID = fmt.Sprintf("hub-%06d", i%100), fmt.Sprintf("dev-%07d", i%400)
		a.DedupeKey = DedupeKey(at, sha256.Sum256(fmt.Appendf(nil, "bench-%d", i)))
		res, err := s.Append(b.Context(), JournalEntry{DedupeKey: a.DedupeKey, ReceivedAt: t0, Body: []byte(`{"hub_id":"hub-000000"}`)})
		must(b, err)
		a.ID, a.ReceivedAt = res.ID, t0
		live := &LiveChange{HubID: a.HubID, DeviceID: a.DeviceID, At: at}
		if i%2 == 0 {
			live.State = map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"locked"}`)}
		} else {
			live.DeviceID, live.Heartbeat = "", true
		}
		items = append(items, IngestItem{Activity: a, Body: []byte(`{"hub_id":"hub-000000"}`), Live: live})
	}
	b.ResetTimer()
	for start := 0; start < len(items); start += 2000 {
		if _, err := s.Project(b.Context(), items[start:min(start+2000, len(items))]); err != nil {
			b.Fatal(err)
		}
	}
}
