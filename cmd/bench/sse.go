package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sseResult is the fan-out measurement: webhook POST sent → event read by each subscriber. With several instances,
// Instances holds the same figures for each instance's own subscribers.
type sseResult struct {
	Name        string // the instance, in Instances
	Subscribers int
	Deliveries  int
	Expected    int // Deliveries × Subscribers
	Received    int
	P50ms       float64
	P99ms       float64
	MaxMs       float64
	RSSIdleMB   float64 // the server with every subscriber connected, before the deliveries (the first instance's)
	RSSMB       float64 // right after the deliveries
	HWMMB       float64 // the server's peak resident memory over its life
	Instances   []sseResult
}

// login signs the bench admin in and returns the session cookie header value.
func login(ctx context.Context, base string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {benchAdmin}, "password": {benchPassword}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	var parts []string
	for _, ck := range resp.Cookies() {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if resp.StatusCode != http.StatusSeeOther || len(parts) == 0 {
		return "", fmt.Errorf("login: status %d", resp.StatusCode)
	}
	return strings.Join(parts, "; "), nil
}

// received is when one subscriber read one activity event.
type received struct {
	id int64
	at time.Time
}

// runSSE connects subs streams to /events, split evenly over the instances (subscriber s on instances[s % len]),
// then posts n deliveries at rate per second to the first instance only and times each event's arrival at every
// subscriber against the moment its POST was sent. One delivery before them, not timed, proves every stream
// (and every instance's listener) is live.
func runSSE(ctx context.Context, instances []ready, names []string, token string, subs, n, rate int) (sseResult, error) {
	st, err := openStreams(ctx, instances, subs, n)
	if err != nil {
		return sseResult{}, err
	}
	defer st.close()
	post := instances[0]
	hook := post.hookURL()
	pc := newClient(4)
	if _, err := postForID(ctx, pc, hook, webhookBody(post.Targets, 999_999, time.Now())); err != nil {
		return sseResult{}, err
	}
	if err := waitGroup(&st.events.live, 30*time.Second); err != nil {
		return sseResult{}, fmt.Errorf("the first delivery did not reach every subscriber: %w", err)
	}
	res := sseResult{Subscribers: subs, Deliveries: n, Expected: subs * n, RSSIdleMB: rssMB(post.PID, "VmRSS")}
	for i, in := range instances {
		res.Instances = append(res.Instances, sseResult{Name: names[i], Deliveries: n, RSSIdleMB: rssMB(in.PID, "VmRSS")})
	}
	sent := map[int64]time.Time{}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		t0 := time.Now()
		id, err := postForID(ctx, pc, hook, webhookBody(post.Targets, int64(i)+1_000_000, t0))
		if err != nil {
			return res, err
		}
		sent[id] = t0
	}
	for wait := time.Now(); st.events.total.Load() < int64(subs*(n+1)) && time.Since(wait) < 2*time.Second; {
		time.Sleep(10 * time.Millisecond) // let the last events arrive (a lost one is counted as not received)
	}
	res.RSSMB, res.HWMMB = rssMB(post.PID, "VmRSS"), rssMB(post.PID, "VmHWM")
	for i, in := range instances {
		res.Instances[i].RSSMB, res.Instances[i].HWMMB = rssMB(in.PID, "VmRSS"), rssMB(in.PID, "VmHWM")
	}
	st.close()
	res.tallyLatencies(st.got, sent)
	return res, nil
}

// streams are the subscribers' open /events streams.
type streams struct {
	events tally
	got    [][]received // per subscriber; complete once close returns
	cancel context.CancelFunc
	wg     sync.WaitGroup
	tr     *http.Transport
}

// openStreams signs in to every instance (once each, as a browser behind a balancer would) and opens subs streams
// over them, returning once every stream has answered.
func openStreams(ctx context.Context, instances []ready, subs, n int) (*streams, error) {
	cookies := make([]string, len(instances))
	for i, in := range instances {
		var err error
		if cookies[i], err = login(ctx, in.API); err != nil {
			return nil, err
		}
	}
	st := &streams{got: make([][]received, subs), tr: &http.Transport{MaxIdleConnsPerHost: subs, DisableCompression: true}}
	sctx, cancel := context.WithCancel(ctx)
	st.cancel = cancel
	client := &http.Client{Transport: st.tr}
	st.events.live.Add(subs)
	opened := make(chan error, subs)
	for s := range subs {
		in := s % len(instances)
		st.wg.Go(func() { st.got[s] = subscribe(sctx, client, instances[in].API, cookies[in], n, opened, &st.events) })
	}
	for range subs {
		if err := <-opened; err != nil {
			st.close()
			return nil, err
		}
	}
	return st, nil
}

// close ends every stream and waits for their readers; again, it does nothing.
func (st *streams) close() {
	st.cancel()
	st.wg.Wait()
	st.tr.CloseIdleConnections()
}

// tallyLatencies fills in the counts and percentiles, per instance (subscriber s was on instance s % len) and
// over all subscribers.
func (res *sseResult) tallyLatencies(got [][]received, sent map[int64]time.Time) {
	k := len(res.Instances)
	per := make([][]time.Duration, k)
	for s, rs := range got {
		per[s%k] = append(per[s%k], latencies(rs, sent)...)
		res.Instances[s%k].Subscribers++
	}
	var all []time.Duration
	for i := range res.Instances {
		in := &res.Instances[i]
		in.Expected = in.Subscribers * res.Deliveries
		in.Received, in.P50ms, in.P99ms, in.MaxMs = spread(per[i])
		all = append(all, per[i]...)
	}
	res.Received, res.P50ms, res.P99ms, res.MaxMs = spread(all)
}

// latencies are the subscriber's arrivals of the timed deliveries, each against its POST's send time.
func latencies(rs []received, sent map[int64]time.Time) []time.Duration {
	var out []time.Duration
	for _, r := range rs {
		if t0, ok := sent[r.id]; ok {
			out = append(out, r.at.Sub(t0))
		}
	}
	return out
}

// spread sorts lat and returns its count, p50, p99 and max in milliseconds.
func spread(lat []time.Duration) (n int, p50, p99, maxMs float64) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	if len(lat) == 0 {
		return 0, 0, 0, 0
	}
	return len(lat), ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1])
}

// waitGroup waits for wg, or fails after d.
func waitGroup(wg *sync.WaitGroup, d time.Duration) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(d):
		return fmt.Errorf("not within %s", d)
	}
}

// tally counts the streams' activity events, so that the run waits for them rather than for a guessed time.
type tally struct {
	live  sync.WaitGroup // one per stream, done at its first event
	total atomic.Int64
}

// subscribe holds one stream open and records every activity event's id and arrival time in the tally.
func subscribe(ctx context.Context, c *http.Client, base, cookie string, n int, opened chan<- error, t *tally) []received {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	if err != nil {
		opened <- err
		return nil
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		opened <- err
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		opened <- fmt.Errorf("events: status %d", resp.StatusCode)
		return nil
	}
	opened <- nil
	out := make([]received, 0, n)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var id int64
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "": // the event is complete
			if name == "activity" {
				out = append(out, received{id: id, at: time.Now()})
				if t.total.Add(1); len(out) == 1 {
					t.live.Done()
				}
			}
			id, name = 0, ""
		case strings.HasPrefix(line, "id:"):
			id, _ = strconv.ParseInt(strings.TrimSpace(line[3:]), 10, 64)
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(line[6:])
		}
	}
	return out
}

// postForID posts a delivery and returns the activity id the receiver answered with.
func postForID(ctx context.Context, c *http.Client, url string, body []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var rep struct {
		Status string `json:"status"`
		ID     int64  `json:"id"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &rep); err != nil || resp.StatusCode != http.StatusOK || rep.Status != "stored" {
		return 0, fmt.Errorf("webhook: %d %s", resp.StatusCode, b)
	}
	return rep.ID, nil
}
