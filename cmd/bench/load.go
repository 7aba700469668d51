package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// throughput is one load run against one URL.
type throughput struct {
	Name        string
	Concurrency int
	Requests    int64
	Errors      int64
	Seconds     float64
	PerSec      float64
	P50ms       float64
	P99ms       float64
	FirstError  string     // what the first failed request said, "" when none failed
	Lag         *lagResult // the projection behind the journal (webhook loads only)
}

// newClient is a keep-alive client with one connection per worker.
func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: conns,
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true, IdleConnTimeout: time.Minute}}
}

// runLoad posts body(i) to urls from conc workers for dur (after a warm-up of a second that is not counted) and
// reports the rate of 200 answers and the latency percentiles. Worker w posts to urls[w % len(urls)]: with two
// instances, half the senders each, and the rate is their total.
func runLoad(ctx context.Context, name string, urls []string, conc int, dur time.Duration, body func(i int64) []byte) throughput {
	client := newClient(conc)
	defer client.CloseIdleConnections()
	var n atomic.Int64
	var ok, errs atomic.Int64
	var counting atomic.Bool
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range conc {
		url := urls[w%len(urls)]
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			for {
				select {
				case <-stop:
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
					return
				default:
				}
				i := n.Add(1)
				t0 := time.Now()
				err := post(ctx, client, url, body(i))
				if !counting.Load() {
					continue
				}
				if err != nil {
					if errs.Add(1) == 1 {
						mu.Lock()
						firstErr = err.Error()
						mu.Unlock()
					}
					continue
				}
				ok.Add(1)
				local = append(local, time.Since(t0))
			}
		})
	}
	time.Sleep(warmUp(dur)) // connections, caches, the writer's first batches
	counting.Store(true)
	start := time.Now()
	time.Sleep(dur)
	counting.Store(false)
	secs := time.Since(start).Seconds()
	close(stop)
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return throughput{Name: name, Concurrency: conc, Requests: ok.Load(), Errors: errs.Load(), Seconds: secs,
		PerSec: float64(ok.Load()) / secs, P50ms: ms(percentile(lat, 0.5)), P99ms: ms(percentile(lat, 0.99)), FirstError: firstErr}
}

func post(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// webhookBody is a delivery in the documented envelope about a mirrored device; i makes each one distinct (so
// none is a duplicate) and picks the event: unlocks and locks (which change the mirror), door sensors, heartbeats.
func webhookBody(targets []target, i int64, at time.Time) []byte {
	t := targets[int(i)%len(targets)]
	msg, user, details := "Unlock", `,"User":"Jane Doe"`, fmt.Sprintf(`,"details":"delivery %d"`, i)
	switch i % 4 {
	case 1:
		msg, user = "Lock", `,"User":"Auto"`
	case 2:
		msg, user = "door_open", ""
	case 3:
		return fmt.Appendf(nil, `{"hub_id":%q,"home_name":%q,"serial_no":%q,"address":"","pms_datapull_id":"",`+
			`"device_type":"hub","message_type":"heartbeat","details":%q,"activity_time":%d,"seq":%d}`,
			t.HubID, t.HomeName, t.Serial, at.UTC().Format(time.RFC3339Nano), at.UnixMilli(), i)
	}
	return fmt.Appendf(nil, `{"hub_id":%q,"home_name":%q,"serial_no":%q,"address":"","pms_datapull_id":"",`+
		`"device_id":%q,"device_name":%q,"device_type":%q,"message_type":%q%s%s,"activity_time":%d}`,
		t.HubID, t.HomeName, t.Serial, t.DeviceID, t.DeviceName, t.DeviceType, msg, user, details, at.UnixMilli())
}

// warmUp is how long a load runs before it is counted: a second, or a quarter of a shorter run (the tests').
func warmUp(dur time.Duration) time.Duration { return min(time.Second, dur/4) }
