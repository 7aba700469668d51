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
	"time"
)

// sseResult is the fan-out measurement: webhook POST sent → event read by each subscriber.
type sseResult struct {
	Subscribers int
	Deliveries  int
	Expected    int // Deliveries × Subscribers
	Received    int
	P50ms       float64
	P99ms       float64
	MaxMs       float64
	RSSIdleMB   float64 // the server with every subscriber connected, before the deliveries
	RSSMB       float64 // right after the deliveries
	HWMMB       float64 // the server's peak resident memory over its life
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

// runSSE connects subs streams to /events, then posts n deliveries at rate per second and times each event's
// arrival at every subscriber against the moment its POST was sent.
func runSSE(ctx context.Context, rd ready, token string, subs, n, rate int) (sseResult, error) {
	cookie, err := login(ctx, rd.API)
	if err != nil {
		return sseResult{}, err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: subs, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make([][]received, subs)
	var wg sync.WaitGroup
	opened := make(chan error, subs)
	for s := range subs {
		wg.Go(func() { got[s] = subscribe(sctx, client, rd.API, cookie, n, opened) })
	}
	for range subs {
		if err := <-opened; err != nil {
			cancel()
			wg.Wait()
			return sseResult{}, err
		}
	}
	res := sseResult{Subscribers: subs, Deliveries: n, Expected: subs * n, RSSIdleMB: rssMB(rd.PID, "VmRSS")}
	sent := map[int64]time.Time{}
	pc := newClient(4)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range n {
		<-tick.C
		t0 := time.Now()
		id, err := postForID(ctx, pc, rd.API+"/webhooks/smarthome?token="+token, webhookBody(rd.Targets, int64(i)+1_000_000, t0))
		if err != nil {
			tick.Stop()
			cancel()
			wg.Wait()
			return res, err
		}
		sent[id] = t0
	}
	tick.Stop()
	time.Sleep(2 * time.Second) // let the last events arrive
	res.RSSMB, res.HWMMB = rssMB(rd.PID, "VmRSS"), rssMB(rd.PID, "VmHWM")
	cancel()
	wg.Wait()
	var lat []time.Duration
	for _, rs := range got {
		for _, r := range rs {
			if t0, ok := sent[r.id]; ok {
				lat = append(lat, r.at.Sub(t0))
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.Received = len(lat)
	if len(lat) > 0 {
		res.P50ms, res.P99ms, res.MaxMs = ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1])
	}
	return res, nil
}

// subscribe holds one stream open and records every activity event's id and arrival time.
func subscribe(ctx context.Context, c *http.Client, base, cookie string, n int, opened chan<- error) []received {
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
