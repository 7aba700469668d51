package db

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// t0 is a fixed instant with millisecond precision, so round-trips compare equal.
var t0 = time.Date(2026, 11, 29, 15, 4, 5, 123_000_000, time.UTC)

func ptr[T any](v T) *T { return &v }

// newStore opens a migrated store on a fresh file in t.TempDir() (in a subdirectory that Open
// must create) and closes it when the test ends. With DB_TEST_DIALECT=postgres it opens a
// PostgreSQL store on a fresh database instead, so the whole suite can run against PostgreSQL
// (see dialects_test.go).
func newStore(t testing.TB) *Store {
	t.Helper()
	if testDialect() == dialectPostgres {
		return newPGStore(t)
	}
	return newSQLiteStore(t)
}

// newSQLiteStore is newStore's SQLite store, whatever DB_TEST_DIALECT says.
func newSQLiteStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "test.db"))
	return closedAtEnd(t, s, err)
}

// closedAtEnd fails the test on an open error, and closes s when the test ends.
func closedAtEnd(t testing.TB, s *Store, err error) *Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// genSnapshot builds a deterministic portfolio: props properties with hubsPer hubs each and
// devPer devices per hub. Every 10th hub is offline, every 7th device has a low battery and every
// 13th device a leak alert; property names come from a small vocabulary so searches match a subset.
func genSnapshot(props, hubsPer, devPer int, at time.Time) Snapshot {
	cities := []string{"Austin", "Denver", "Portland", "Springfield", "Tampa"}
	streets := []string{"Maple", "Oak", "Pine", "Cedar", "Elm", "Birch", "Willow"}
	snap := Snapshot{At: at}
	nh, nd := 0, 0
	for i := range props {
		id := int64(1000 + i)
		city := cities[i%len(cities)]
		street := streets[i%len(streets)]
		snap.Properties = append(snap.Properties, Property{
			ID: id, Name: fmt.Sprintf("%s Court %d", street, i), City: city, State: "TX",
			Address: fmt.Sprintf("%d %s Court, %s", i, street, city), StreetAddress: fmt.Sprintf("%d %s Court", i, street),
			Zipcode: "78701", TimeZone: "America/Chicago", Latitude: "30.2672", Longitude: "-97.7431",
		})
		for range hubsPer {
			hid := fmt.Sprintf("hub-%06d", nh)
			snap.Hubs = append(snap.Hubs, Hub{
				ID: hid, PropertyID: ptr(id), SerialNo: fmt.Sprintf("%05d", 30000+nh),
				HomeName: fmt.Sprintf("%s Home %d", street, nh), Status: "Online", Online: nh%10 != 9,
				PowerSource: "external", Battery: ptr(90), Raw: `{"id":"` + hid + `"}`,
			})
			for range devPer {
				d := Device{
					ID: fmt.Sprintf("dev-%07d", nd), HubID: hid, PropertyID: ptr(id), Name: fmt.Sprintf("Front door %d", nd),
					Type: "lock", Battery: ptr(80), Online: true, State: `{"mode":{"type":"locked"}}`, Settings: `{}`,
				}
				if nd%7 == 6 {
					d.Battery = ptr(LowBatteryPercent - 5)
				}
				if nd%13 == 12 {
					d.Type, d.Alert, d.Battery = "leakage_sensor", AlertLeak, ptr(60)
				}
				snap.Devices = append(snap.Devices, d)
				nd++
			}
			nh++
		}
	}
	return snap
}

// checkCounters recomputes every property's trigger-maintained counts from scratch and fails on
// any difference.
func checkCounters(t testing.TB, s *Store) {
	t.Helper()
	var bad []int64
	err := s.r.SelectContext(t.Context(), &bad, `SELECT p.id FROM properties p WHERE
		p.n_hubs <> (SELECT count(*) FROM hubs h WHERE h.property_id = p.id)
		OR p.n_hubs_offline <> (SELECT count(*) FROM hubs h WHERE h.property_id = p.id AND h.online = 0)
		OR p.n_devices <> (SELECT count(*) FROM devices d WHERE d.property_id = p.id)
		OR p.n_low_battery <> (SELECT count(*) FROM devices d WHERE d.property_id = p.id AND d.battery < 20)
		OR p.n_alert_devices <> (SELECT count(*) FROM devices d WHERE d.property_id = p.id AND d.alert <> '')`)
	must(t, err)
	if len(bad) > 0 {
		t.Fatalf("properties with stale counters: %v", bad)
	}
}
