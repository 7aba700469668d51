package db

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestListPropertiesPaging(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(130, 0, 0, t0)))
	tests := []struct {
		name                     string
		page, perPage            int
		wantPage, wantPer, items int
	}{
		{"defaults", 0, 0, 1, DefaultPerPage, DefaultPerPage},
		{"negative page", -3, 10, 1, 10, 10},
		{"capped page size", 1, 1000, 1, MaxPerPage, MaxPerPage},
		{"last partial page", 2, 100, 2, 100, 30},
		{"past the end", 9, 25, 9, 25, 0},
		{"huge page number", 1 << 62, 25, maxPage, 25, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pg, err := s.ListProperties(t.Context(), PropertyFilter{Page: tt.page, PerPage: tt.perPage})
			must(t, err)
			if pg.Page != tt.wantPage || pg.PerPage != tt.wantPer || len(pg.Items) != tt.items || pg.Total != 130 {
				t.Fatalf("page %d per %d items %d total %d", pg.Page, pg.PerPage, len(pg.Items), pg.Total)
			}
			if pg.Items == nil {
				t.Fatal("Items is nil; want an empty slice")
			}
		})
	}
}

// TestSearchEscapesMetacharacters checks LIKE wildcards are literal and SQL in search text is data.
func TestSearchEscapesMetacharacters(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	names := map[int64]string{1: "100% Occupied", 2: "a_b Street", 3: "axb Street", 4: `Back\slash Row`,
		5: "Plain House", 6: "O'Brien's '; DROP TABLE users;-- Lofts"}
	for id, name := range names {
		must(t, s.UpsertProperty(ctx, Property{ID: id, Name: name, SyncedAt: t0}))
		must(t, s.UpsertHub(ctx, Hub{ID: fmt.Sprint("hub-", id), HomeName: name, SerialNo: fmt.Sprint(id), SyncedAt: t0}))
	}
	_, err := s.CreateUser(ctx, User{Email: "a@example.com", Role: RoleAdmin})
	must(t, err)
	tests := []struct {
		query string
		want  []int64
	}{
		{"%", []int64{1}},
		{"_", []int64{2}},
		{`\`, []int64{4}},
		{"a_b", []int64{2}},
		{"'", []int64{6}},
		{"'; DROP TABLE users;--", []int64{6}},
		{`"; DROP TABLE properties; --`, nil},
		{"%' OR '1'='1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			pg, err := s.ListProperties(ctx, PropertyFilter{Query: tt.query})
			must(t, err)
			var got []int64
			for _, r := range pg.Items {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || pg.Total != len(tt.want) {
				t.Errorf("properties: got %v (total %d), want %v", got, pg.Total, tt.want)
			}
			hp, err := s.ListHubs(ctx, HubFilter{Query: tt.query})
			must(t, err)
			if hp.Total != len(tt.want) {
				t.Errorf("hubs: total %d, want %d", hp.Total, len(tt.want))
			}
			_, err = s.UserByEmail(ctx, tt.query)
			wantErr(t, err, ErrNotFound)
			entries, err := s.ListAudit(ctx, AuditFilter{UserEmail: tt.query, Action: tt.query, TargetID: tt.query})
			if err != nil || len(entries) != 0 {
				t.Errorf("ListAudit = %v, %v", entries, err)
			}
		})
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("users table after hostile searches: %d, %v", n, err)
	}
	if c, err := s.PortfolioCounts(ctx); err != nil || c.Properties != len(names) {
		t.Fatalf("properties after hostile searches: %+v, %v", c, err)
	}
}

func TestListHubs(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	snap := genSnapshot(30, 1, 3, t0)
	snap.Hubs = append(snap.Hubs, Hub{ID: "loose", HomeName: "Unassigned Spare", SerialNo: "99999", Online: false})
	must(t, s.ApplySync(ctx, snap))

	all, err := s.ListHubs(ctx, HubFilter{PerPage: 100})
	must(t, err)
	if all.Total != 31 || len(all.Items) != 31 {
		t.Fatalf("total %d items %d", all.Total, len(all.Items))
	}
	for i := 1; i < len(all.Items); i++ {
		if strings.ToLower(all.Items[i-1].HomeName) > strings.ToLower(all.Items[i].HomeName) {
			t.Fatalf("not ordered by home name at %d", i)
		}
	}
	for _, r := range all.Items {
		wantDevices, wantProp := 3, ""
		if r.ID == "loose" {
			wantDevices = 0
		} else {
			p, err := s.Property(ctx, *r.PropertyID)
			must(t, err)
			wantProp = p.Name
		}
		if r.Devices != wantDevices || r.PropertyName != wantProp {
			t.Errorf("hub %s: devices %d property %q; want %d %q", r.ID, r.Devices, r.PropertyName, wantDevices, wantProp)
		}
	}

	tests := []struct {
		name string
		f    HubFilter
		want int
	}{
		{"home name", HubFilter{Query: "MAPLE home"}, 5},
		{"serial number", HubFilter{Query: "3001"}, 10},
		{"offline", HubFilter{Offline: true}, 4},
		{"offline and query", HubFilter{Offline: true, Query: "spare"}, 1},
		{"second page", HubFilter{PerPage: 20, Page: 2}, 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg, err := s.ListHubs(ctx, tt.f)
			must(t, err)
			if pg.Total != tt.want {
				t.Errorf("Total = %d, want %d", pg.Total, tt.want)
			}
			if tt.f.Page == 2 && len(pg.Items) != 11 {
				t.Errorf("second page has %d items, want 11", len(pg.Items))
			}
			for _, r := range pg.Items {
				if tt.f.Offline && r.Online {
					t.Errorf("online hub %s in the offline filter", r.ID)
				}
			}
		})
	}
}

func TestPortfolioCountsAndAlerts(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	snap := genSnapshot(20, 1, 4, t0)
	// An unassigned hub and device count in the portfolio too.
	snap.Hubs = append(snap.Hubs, Hub{ID: "loose", Online: false, HomeName: "Spare"})
	snap.Devices = append(snap.Devices, Device{ID: "loose-dev", HubID: "loose", Battery: ptr(3), Alert: AlertSmoke})
	must(t, s.ApplySync(ctx, snap))

	var want Counts
	want.Properties, want.Hubs, want.Devices = len(snap.Properties), len(snap.Hubs), len(snap.Devices)
	alertDevices := 0
	for _, h := range snap.Hubs {
		if !h.Online {
			want.HubsOffline++
		}
	}
	for _, d := range snap.Devices {
		if d.Battery != nil && *d.Battery < LowBatteryPercent {
			want.LowBattery++
		}
		if d.Alert != "" || (d.Battery != nil && *d.Battery < LowBatteryPercent) {
			alertDevices++
		}
		if d.Alert != "" {
			want.Alerts++
		}
	}
	want.Alerts += want.HubsOffline + want.LowBattery
	got, err := s.PortfolioCounts(ctx)
	if err != nil || got != want {
		t.Fatalf("PortfolioCounts = %+v, %v; want %+v", got, err, want)
	}

	// Make two alerts newer than the rest so the order is checkable.
	must(t, s.UpdateDeviceLive(ctx, "dev-0000006", "", nil, nil, ptr(AlertJammed), t0.Add(2*time.Hour)))
	hb := t0.Add(time.Hour)
	must(t, s.UpdateHubLive(ctx, "hub-000009", nil, &hb, nil, nil, hb))
	alerts, err := s.AlertDevices(ctx, 0)
	must(t, err)
	if len(alerts) != alertDevices+want.HubsOffline {
		t.Fatalf("%d alerts, want %d", len(alerts), alertDevices+want.HubsOffline)
	}
	first, second := alerts[0], alerts[1]
	if first.Kind != AlertJammed || first.DeviceID != "dev-0000006" || first.PropertyName == "" || first.Type != "lock" {
		t.Errorf("newest alert = %+v; want the jammed lock (its alert wins over its low battery)", first)
	}
	if second.Kind != AlertHubOffline || second.HubID != "hub-000009" || second.DeviceID != "" || !second.At.Equal(hb) {
		t.Errorf("second alert = %+v; want the offline hub", second)
	}
	kinds := map[string]int{}
	for i, a := range alerts {
		kinds[a.Kind]++
		if i > 0 && a.At.After(alerts[i-1].At) {
			t.Fatalf("alerts not newest first at %d", i)
		}
		if a.DeviceID == "loose-dev" && (a.Kind != AlertSmoke || a.PropertyID != nil || a.PropertyName != "") {
			t.Errorf("unassigned device alert = %+v", a)
		}
	}
	if kinds[AlertLowBattery] == 0 || kinds[AlertLeak] == 0 || kinds[AlertHubOffline] != want.HubsOffline {
		t.Errorf("alert kinds %v", kinds)
	}
	if few, _ := s.AlertDevices(ctx, 3); len(few) != 3 || !reflect.DeepEqual(few[0], first) {
		t.Errorf("AlertDevices(3) = %+v", few)
	}
}
