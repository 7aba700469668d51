package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/handlers/live"
)

// BenchmarkPages measures the property list and property detail pages with a mirror of 5,000 properties (5,000 hubs,
// 40,000 devices) and the device list over them, 32 clients at once over loopback. It reports p50/p95/p99 per page; issue 6's target is p95 < 25 ms.
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := store.ApplySync(ctx, benchSnapshot(5000, 8)); err != nil {
		b.Fatal(err)
	}
	srv, client := benchServer(b, store)
	defer srv.Close()

	for _, pg := range []struct {
		name string
		url  func(i int) string
	}{
		{"property_list", func(i int) string { return "/properties?page=" + strconv.Itoa(1+i%200) }},
		{"property_list_search", func(i int) string { return "/properties?q=" + url.QueryEscape(fmt.Sprintf("Street %d", i%5000)) }},
		{"property_detail", func(i int) string { return "/properties/" + strconv.Itoa(1+i%5000) }},
		{"device_list", func(i int) string { return "/devices?page=" + strconv.Itoa(1+i%1600) }},
		{"device_list_filtered", func(i int) string { return "/devices?type=lock&battery_below=20&page=" + strconv.Itoa(1+i%4) }},
	} {
		b.Run(pg.name, func(b *testing.B) {
			lat := runConcurrent(b, 32, func(i int) error {
				resp, err := client.Get(srv.URL + pg.url(i))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					return err
				}
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("GET %s: %s", pg.url(i), resp.Status)
				}
				return nil
			})
			reportPercentiles(b, lat)
		})
	}
}

// runConcurrent runs fn b.N times from workers goroutines and returns each call's duration.
func runConcurrent(b *testing.B, workers int, fn func(i int) error) []time.Duration {
	b.Helper()
	lat := make([]time.Duration, b.N)
	var next sync.Mutex
	n := 0
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	b.ResetTimer()
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				i := n
				n++
				next.Unlock()
				if i >= b.N {
					return
				}
				start := time.Now()
				if err := fn(i); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return lat
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// benchServer serves the dashboard over store with one signed-in admin client.
func benchServer(b *testing.B, store *db.Store) (*httptest.Server, *http.Client) {
	b.Helper()
	logger := slog.New(slog.DiscardHandler)
	hasher := auth.NewPasswordHasher(4)
	hash, err := hasher.Hash("bench-password-1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.CreateUser(context.Background(), db.User{Email: "bench@example.com", Name: "Bench", Role: db.RoleAdmin, PasswordHash: hash}); err != nil {
		b.Fatal(err)
	}
	sess, err := NewSessions(logger, store, SessionOptions{Secret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	broker := live.New(logger, live.Options{})
	b.Cleanup(broker.Close)
	syncer := mirror.NewSyncer(logger, store, nil, mirror.SyncOptions{})
	srv := httptest.NewServer(NewServer(Deps{Logger: logger, Store: store, Sessions: sess, Hasher: hasher, Syncer: syncer,
		Broker: broker, Observed: &observe.Observers{}}, Options{WebhookSecrets: []string{"bench"}}))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv.URL+"/login", url.Values{"email": {"bench@example.com"}, "password": {"bench-password-1"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: %s", resp.Status)
	}
	return srv, client
}

// benchSnapshot is a synthetic mirror: n properties, one hub each, perHub devices per hub (a mix of types, a tenth
// of the hubs offline, a tenth of the devices on a low battery).
func benchSnapshot(n, perHub int) db.Snapshot {
	now := time.Now().UTC()
	snap := db.Snapshot{At: now}
	types := []string{"lock", "thermostat", "switch", "dimmable_switch", "leakage_sensor", "contact_sensor", "motion_sensor", "lock"}
	zones := []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "Pacific/Honolulu"}
	for i := 1; i <= n; i++ {
		id := int64(i)
		zone := zones[i%len(zones)]
		snap.Properties = append(snap.Properties, db.Property{ID: id, Name: fmt.Sprintf("Unit %d", i),
			Address: fmt.Sprintf("%d Street %d, City %d", i, i, i%50), StreetAddress: fmt.Sprintf("%d Street %d", i, i),
			City: fmt.Sprintf("City %d", i%50), State: "TX", Zipcode: "78701", TimeZone: zone})
		hubID := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		hb := now.Add(-time.Minute)
		snap.Hubs = append(snap.Hubs, db.Hub{ID: hubID, PropertyID: &id, SerialNo: strconv.Itoa(30000 + i),
			HomeName: fmt.Sprintf("Home %d", i), TimeZone: zone, Online: i%10 != 0, Status: "Online", LastHeartbeatAt: &hb})
		for j := range perHub {
			battery := 80
			if (i+j)%10 == 0 {
				battery = 12
			}
			state := `{"mode":{"type":"locked"},"codes":{"1":"set","2":null},"max_slots":250,"battery":` + strconv.Itoa(battery) + `}`
			if types[j] != "lock" {
				state = `{"mode":"off","battery":` + strconv.Itoa(battery) + `}`
			}
			snap.Devices = append(snap.Devices, db.Device{ID: fmt.Sprintf("10000000-0000-4000-8000-%06d%06d", i, j),
				HubID: hubID, PropertyID: &id, Name: fmt.Sprintf("%s %d", types[j], j), Type: types[j], Battery: &battery,
				Online: i%10 != 0, State: state})
		}
	}
	return snap
}
