package db

import (
	"strings"
	"testing"
	"time"
)

// oracle computes the expected list rows straight from a snapshot, independently of SQL.
func oracle(snap Snapshot) map[int64]PropertyRow {
	rows := map[int64]PropertyRow{}
	for _, p := range snap.Properties {
		p.SyncedAt = snap.At
		rows[p.ID] = PropertyRow{Property: p}
	}
	for _, h := range snap.Hubs {
		if h.PropertyID == nil {
			continue
		}
		r := rows[*h.PropertyID]
		r.Hubs++
		if !h.Online {
			r.HubsOffline++
			r.Alerts++
		}
		rows[*h.PropertyID] = r
	}
	for _, d := range snap.Devices {
		if d.PropertyID == nil {
			continue
		}
		r := rows[*d.PropertyID]
		r.Devices++
		if d.Battery != nil && *d.Battery < LowBatteryPercent {
			r.LowBattery++
			r.Alerts++
		}
		if d.Alert != "" {
			r.Alerts++
		}
		rows[*d.PropertyID] = r
	}
	return rows
}

// allPages walks every page of a filter and returns the rows in order.
func allPages(t *testing.T, s *Store, f PropertyFilter) ([]PropertyRow, int) {
	t.Helper()
	var rows []PropertyRow
	total := -1
	for f.Page = 1; f.Page < 100; f.Page++ {
		pg, err := s.ListProperties(t.Context(), f)
		must(t, err)
		if total >= 0 && pg.Total != total {
			t.Fatalf("Total changed between pages: %d then %d", total, pg.Total)
		}
		total = pg.Total
		if len(pg.Items) == 0 {
			break
		}
		rows = append(rows, pg.Items...)
	}
	return rows, total
}

func TestListPropertiesFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	snap := genSnapshot(60, 2, 3, t0)
	must(t, s.ApplySync(t.Context(), snap))
	want := oracle(snap)
	tests := []struct {
		name string
		f    PropertyFilter
		keep func(PropertyRow) bool
	}{
		{"all", PropertyFilter{}, func(PropertyRow) bool { return true }},
		{"name substring, any case", PropertyFilter{Query: "  mAPLE "}, func(r PropertyRow) bool { return strings.Contains(r.Name, "Maple") }},
		{"city", PropertyFilter{Query: "denver"}, func(r PropertyRow) bool { return r.City == "Denver" }},
		{"address", PropertyFilter{Query: "15 oak"}, func(r PropertyRow) bool { return strings.Contains(r.Address, "15 Oak") }},
		{"hub offline", PropertyFilter{HubOffline: true}, func(r PropertyRow) bool { return r.HubsOffline > 0 }},
		{"low battery", PropertyFilter{LowBattery: true}, func(r PropertyRow) bool { return r.LowBattery > 0 }},
		{"has alerts", PropertyFilter{HasAlerts: true}, func(r PropertyRow) bool { return r.Alerts > 0 }},
		{"combined", PropertyFilter{Query: "court", HubOffline: true, LowBattery: true},
			func(r PropertyRow) bool { return r.HubsOffline > 0 && r.LowBattery > 0 }},
		{"no match", PropertyFilter{Query: "zzz"}, func(PropertyRow) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f.PerPage = 7
			got, total := allPages(t, s, tt.f)
			var wantIDs []int64
			for id, r := range want {
				if tt.keep(r) {
					wantIDs = append(wantIDs, id)
				}
			}
			if total != len(wantIDs) || len(got) != len(wantIDs) {
				t.Fatalf("Total %d, rows %d; want %d", total, len(got), len(wantIDs))
			}
			for _, r := range got {
				if r != want[r.ID] {
					t.Errorf("row %+v, want %+v", r, want[r.ID])
				}
			}
			seen := map[int64]bool{}
			for _, r := range got {
				if seen[r.ID] {
					t.Errorf("property %d on two pages", r.ID)
				}
				seen[r.ID] = true
			}
			// Guard the test data: a filter that keeps all or nothing would prove little.
			if tt.name != "all" && tt.name != "no match" && (len(wantIDs) == 0 || len(wantIDs) == len(want)) {
				t.Fatalf("test data keeps %d of %d", len(wantIDs), len(want))
			}
		})
	}
}

func TestListPropertiesSorting(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(40, 1, 6, t0)))
	// Give a few properties distinct sync times so "synced" has something to order.
	for i, id := range []int64{1005, 1020, 1001} {
		p, err := s.Property(t.Context(), id)
		must(t, err)
		p.SyncedAt = t0.Add(-time.Duration(i+1) * time.Hour)
		must(t, s.UpsertProperty(t.Context(), p))
	}
	lower := strings.ToLower
	tests := []struct {
		sort string
		desc bool
		less func(a, b PropertyRow) int // want cmp(a, b) <= 0 for consecutive rows
	}{
		{"name", false, func(a, b PropertyRow) int { return strings.Compare(lower(a.Name), lower(b.Name)) }},
		{"name", true, func(a, b PropertyRow) int { return strings.Compare(lower(b.Name), lower(a.Name)) }},
		{"bogus", false, func(a, b PropertyRow) int { return strings.Compare(lower(a.Name), lower(b.Name)) }},
		{"city", false, func(a, b PropertyRow) int {
			return cmpOr(strings.Compare(lower(a.City), lower(b.City)), strings.Compare(lower(a.Name), lower(b.Name)))
		}},
		{"city", true, func(a, b PropertyRow) int { return strings.Compare(lower(b.City), lower(a.City)) }},
		{"alerts", true, func(a, b PropertyRow) int {
			return cmpOr(b.Alerts-a.Alerts, strings.Compare(lower(a.Name), lower(b.Name)))
		}},
		{"alerts", false, func(a, b PropertyRow) int { return a.Alerts - b.Alerts }},
		{"synced", false, func(a, b PropertyRow) int { return a.SyncedAt.Compare(b.SyncedAt) }},
		{"synced", true, func(a, b PropertyRow) int { return b.SyncedAt.Compare(a.SyncedAt) }},
	}
	for _, tt := range tests {
		t.Run(tt.sort+map[bool]string{true: " desc", false: ""}[tt.desc], func(t *testing.T) {
			t.Parallel()
			rows, total := allPages(t, s, PropertyFilter{Sort: tt.sort, Desc: tt.desc, PerPage: 9})
			if total != 40 || len(rows) != 40 {
				t.Fatalf("total %d, rows %d", total, len(rows))
			}
			for i := 1; i < len(rows); i++ {
				if tt.less(rows[i-1], rows[i]) > 0 {
					t.Fatalf("rows %d and %d out of order: %+v / %+v", i-1, i, rows[i-1].Property, rows[i].Property)
				}
			}
		})
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
