package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
)

// target is a mirrored device the generated events are about.
type target struct {
	HubID      string `json:"hub_id"`
	HomeName   string `json:"home_name"`
	Serial     string `json:"serial"`
	DeviceID   string `json:"device_id"`
	DeviceName string `json:"device_name"`
	DeviceType string `json:"device_type"`
	PropertyID int64  `json:"property_id"`
}

// mirrorTargets lists every assigned device of the mirror.
func mirrorTargets(ctx context.Context, store *db.Store) ([]target, error) {
	res, err := store.ListHubs(ctx, db.HubFilter{PerPage: db.MaxPerPage})
	if err != nil {
		return nil, err
	}
	var out []target
	for page := 1; ; page++ {
		for _, h := range res.Items {
			devs, err := store.DevicesByHub(ctx, h.Hub.ID)
			if err != nil {
				return nil, err
			}
			for _, d := range devs {
				if d.PropertyID != nil {
					out = append(out, target{HubID: h.Hub.ID, HomeName: h.Hub.HomeName, Serial: h.Hub.SerialNo,
						DeviceID: d.ID, DeviceName: d.Name, DeviceType: d.Type, PropertyID: *d.PropertyID})
				}
			}
		}
		if page*res.PerPage >= res.Total {
			break
		}
		if res, err = store.ListHubs(ctx, db.HubFilter{PerPage: db.MaxPerPage, Page: page + 1}); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the mirror has no assigned device")
	}
	return out, nil
}

// fillResult is how the activity log was filled for the query benchmarks.
type fillResult struct {
	Rows     int     `json:"rows"`
	Seconds  float64 `json:"seconds"`
	PerSec   float64 `json:"per_sec"`
	Batches  uint64  `json:"batches"`
	DBBytes  int64   `json:"db_bytes"`
	FTS      bool    `json:"fts"`
	Earliest string  `json:"earliest"`
	Latest   string  `json:"latest"`
}

// fillSpan is the time the generated activities spread over, ending now.
const fillSpan = 90 * 24 * time.Hour

// people are the lock-code names the generated unlocks carry; the first is the "who" of the query benchmark.
var people = []string{"Jane Doe", "Ravi Patel", "Maria Garcia", "Chen Wei", "Olu Adeyemi", "Sam Lee", "Ana Souza",
	"Tom Becker", "Yuki Sato", "Lena Novak"}

// fillActivities writes n activities through the group-commit writer from many goroutines, as concurrent webhook
// deliveries would, about random mirrored devices over the last 90 days.
func fillActivities(ctx context.Context, store *db.Store, targets []target, n int) (*fillResult, error) {
	start := time.Now()
	end := start.Truncate(time.Minute)
	const workers = 256
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := w; i < n; i += workers {
				it := syntheticItem(rng, targets, i, n, end)
				if _, err := store.Ingest(ctx, it); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	secs := time.Since(start).Seconds()
	st := store.IngestStats()
	return &fillResult{Rows: n, Seconds: secs, PerSec: float64(n) / secs, Batches: st.Batches, FTS: store.FullTextSearch(),
		Earliest: end.Add(-fillSpan).Format(time.DateOnly), Latest: end.Format(time.DateOnly)}, nil
}

// syntheticItem is one plausible activity: mostly lock and sensor traffic, some heartbeats, a few alerts.
func syntheticItem(rng *rand.Rand, targets []target, i, n int, end time.Time) db.IngestItem {
	t := targets[rng.IntN(len(targets))]
	// Deliveries arrive roughly in time order: row i of n is at its share of the span, give or take a minute.
	at := end.Add(-fillSpan + time.Duration(int64(fillSpan)/int64(n)*int64(i)) + time.Duration(rng.Int64N(int64(time.Minute))))
	a := db.Activity{At: at, HubID: t.HubID, DeviceID: t.DeviceID, PropertyID: &t.PropertyID, DeviceType: t.DeviceType,
		HomeName: t.HomeName, SerialNo: t.Serial, DeviceName: t.DeviceName, Verified: true}
	switch x := rng.IntN(100); {
	case x < 30:
		a.MessageType, a.Kind, a.Actor = "Unlock", "lock.unlocked", people[rng.IntN(len(people))]
		a.Details = "keypad entry at the front door"
	case x < 55:
		a.MessageType, a.Kind, a.Actor, a.Details = "Lock", "lock.locked", "Auto", "auto-lock after 30 seconds"
	case x < 80:
		a.DeviceID, a.DeviceType, a.DeviceName = "", "hub", ""
		a.MessageType, a.Kind, a.Details = "heartbeat", "hub.heartbeat", at.Format(time.RFC3339)
	case x < 95:
		a.MessageType, a.Kind, a.Details = "door_open", "contact.opened", "open"
	case x < 99:
		a.MessageType, a.Kind, a.Details = "low_battery", "device.low_battery", fmt.Sprint(5+rng.IntN(15))
	default:
		a.MessageType, a.Kind, a.Details = "leak_detected", "leak.detected", "water under the sink in unit "+fmt.Sprint(rng.IntN(500))
	}
	body := fmt.Appendf(nil, `{"hub_id":%q,"device_id":%q,"message_type":%q,"activity_time":%d,"n":%d}`,
		a.HubID, a.DeviceID, a.MessageType, at.UnixMilli(), i)
	a.DedupeKey = db.DedupeKey(at, sha256.Sum256(body))
	return db.IngestItem{Activity: a, Body: body}
}

// queryResult is the timing of one activity-log query, repeated.
type queryResult struct {
	Name  string  `json:"name"`
	Rows  int     `json:"rows"` // rows on the page
	Runs  int     `json:"runs"`
	P50ms float64 `json:"p50_ms"`
	P95ms float64 `json:"p95_ms"`
	MaxMs float64 `json:"max_ms"`
}

// timeQueries runs each filter of the activity log (a page of 50) repeatedly at the store and reports p50 and p95.
func timeQueries(ctx context.Context, store *db.Store, runs int) ([]queryResult, error) {
	mid, err := store.ListActivities(ctx, db.ActivityFilter{Limit: 1})
	if err != nil || len(mid.Items) == 0 {
		return nil, fmt.Errorf("no activity to query: %v", err)
	}
	newest := mid.Items[0]
	day := newest.At.Add(-45 * 24 * time.Hour).Truncate(24 * time.Hour)
	deep := &db.ActivityCursor{At: newest.At.Add(-60 * 24 * time.Hour), ID: 1 << 62}
	pid := *newest.PropertyID
	filters := []struct {
		name string
		f    db.ActivityFilter
	}{
		{"newest, no filter", db.ActivityFilter{}},
		{"property", db.ActivityFilter{PropertyID: pid}},
		{"hub", db.ActivityFilter{HubID: newest.HubID}},
		{"device type = lock", db.ActivityFilter{DeviceType: "lock"}},
		{"event = Unlock", db.ActivityFilter{MessageType: "Unlock"}},
		{"who = Jane Doe", db.ActivityFilter{Who: "Jane Doe"}},
		{"one day", db.ActivityFilter{From: day, To: day.Add(24 * time.Hour)}},
		{"property + event", db.ActivityFilter{PropertyID: pid, MessageType: "Unlock"}},
		{"search, common word (front)", db.ActivityFilter{Text: "front"}},
		{"search, rare word (sink)", db.ActivityFilter{Text: "sink"}},
		{"page 60 days back (keyset)", db.ActivityFilter{Before: deep}},
	}
	var out []queryResult
	for _, q := range filters {
		durs := make([]time.Duration, 0, runs)
		rows := 0
		for range runs {
			t0 := time.Now()
			q.f.Limit = 50
			pg, err := store.ListActivities(ctx, q.f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.name, err)
			}
			durs = append(durs, time.Since(t0))
			rows = len(pg.Items)
		}
		out = append(out, summarize(q.name, rows, durs))
	}
	return out, nil
}

func summarize(name string, rows int, durs []time.Duration) queryResult {
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return queryResult{Name: name, Rows: rows, Runs: len(durs), P50ms: ms(percentile(durs, 0.50)),
		P95ms: ms(percentile(durs, 0.95)), MaxMs: ms(durs[len(durs)-1])}
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
