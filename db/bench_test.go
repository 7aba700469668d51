package db

import (
	"testing"
	"time"
)

// BenchmarkListProperties lists a filtered, alert-sorted page out of 5,000 properties, 5,000 hubs
// and 40,000 devices: the home page's heaviest query.
func BenchmarkListProperties(b *testing.B) {
	s := newStore(b)
	must(b, s.ApplySync(b.Context(), genSnapshot(5000, 1, 8, t0)))
	filters := []struct {
		name string
		f    PropertyFilter
	}{
		{"query+alerts", PropertyFilter{Query: "maple", Sort: "alerts", Desc: true}},
		{"has_alerts+city", PropertyFilter{HasAlerts: true, Sort: "city", Page: 3}},
		{"name", PropertyFilter{Page: 50}},
	}
	for _, tt := range filters {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				pg, err := s.ListProperties(b.Context(), tt.f)
				if err != nil || len(pg.Items) == 0 {
					b.Fatalf("items %d, err %v", len(pg.Items), err)
				}
			}
		})
	}
}

// BenchmarkApplySync applies a full 5,000/5,000/40,000 snapshot over an existing mirror.
func BenchmarkApplySync(b *testing.B) {
	s := newStore(b)
	snap := genSnapshot(5000, 1, 8, t0)
	for b.Loop() {
		snap.At = snap.At.Add(time.Minute)
		must(b, s.ApplySync(b.Context(), snap))
	}
}

// BenchmarkQueries covers the other list and dashboard queries at the same scale.
func BenchmarkQueries(b *testing.B) {
	s := newStore(b)
	must(b, s.ApplySync(b.Context(), genSnapshot(5000, 1, 8, t0)))
	queries := []struct {
		name string
		run  func() error
	}{
		{"ListHubs/query", func() error { _, err := s.ListHubs(b.Context(), HubFilter{Query: "oak", Page: 4}); return err }},
		{"ListHubs/offline", func() error { _, err := s.ListHubs(b.Context(), HubFilter{Offline: true, Page: 2}); return err }},
		{"PortfolioCounts", func() error { _, err := s.PortfolioCounts(b.Context()); return err }},
		{"AlertDevices", func() error { _, err := s.AlertDevices(b.Context(), 50); return err }},
		{"DevicesByProperty", func() error { _, err := s.DevicesByProperty(b.Context(), 3000); return err }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				must(b, q.run())
			}
		})
	}
}

// BenchmarkFirstSync applies a full 5,000/5,000/40,000 snapshot to an empty mirror (every row an
// insert, every counting trigger firing).
func BenchmarkFirstSync(b *testing.B) {
	snap := genSnapshot(5000, 1, 8, t0)
	for b.Loop() {
		b.StopTimer()
		s := newStore(b)
		b.StartTimer()
		must(b, s.ApplySync(b.Context(), snap))
	}
}
