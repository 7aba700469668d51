package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseArrival is one activity event read from a live stream: its SSE id and when it came.
type sseArrival struct {
	id int64
	at time.Time
}

// activityStream signs in to a as the cluster admin, opens /events and returns the activity events it receives,
// until the test ends.
func activityStream(t *testing.T, a *testApp) <-chan sseArrival {
	t.Helper()
	c := a.client(t)
	a.login(t, c, clusterAdmin, clusterPassword)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: c.Jar}).Do(req) // no client timeout: the stream stays open
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events: status %d", resp.StatusCode)
	}
	ch := make(chan sseArrival, 4096)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
	go func() {
		defer close(done)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var id, name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name == "activity" {
					n, _ := strconv.ParseInt(id, 10, 64)
					select {
					case ch <- sseArrival{id: n, at: time.Now()}:
					default: // the test stopped reading
					}
				}
				id, name = "", ""
			case strings.HasPrefix(line, "id:"):
				id = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			}
		}
	}()
	return ch
}

// postActivity posts a signed (?token=) heartbeat to a and returns the stored activity's id.
func postActivity(t *testing.T, a *testApp, n int) int64 {
	t.Helper()
	body := fmt.Sprintf(`{"hub_id":"fanout-hub","device_type":"hub","message_type":"heartbeat","details":"fanout-%d","activity_time":%d}`,
		n, time.Now().UnixMilli())
	resp, err := http.Post(a.URL+"/webhooks/smarthome?token="+url.QueryEscape(clusterWebhookSecret), "application/json",
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply struct {
		Status string `json:"status"`
		ID     int64  `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != http.StatusOK || reply.Status != "stored" {
		t.Fatalf("webhook %d: status %d, %+v, %v", n, resp.StatusCode, reply, err)
	}
	return reply.ID
}

// TestWebhookReachesOtherInstance: webhooks posted to instance A reach an SSE subscriber on instance B, with the
// activity id as the SSE id, each once; A's own subscriber gets each once too (A pushes it at once, and its
// listener skips its own). Logs the webhook → SSE latency on B over the events (p50, p99).
func TestWebhookReachesOtherInstance(t *testing.T) {
	c := newCluster(t)
	a, b := c.Start(t, nil), c.Start(t, nil)
	onA, onB := activityStream(t, a), activityStream(t, b)
	postActivity(t, a, -1) // the listeners are up once one delivery goes through
	waitFor(t, 30*time.Second, "a first activity on B", func() (bool, error) {
		select {
		case <-onB:
			return true, nil
		default:
			return false, errNotYet
		}
	})
	drain(onA)
	for _, app := range []*testApp{a, b} { // measure after the first mirror syncs, not beside them
		app.waitSyncedAs(t, clusterAdmin, clusterPassword)
	}

	const n = 200
	latency := make([]time.Duration, 0, n)
	ids := make([]int64, 0, n)
	for i := range n {
		sent := time.Now()
		id := postActivity(t, a, i)
		ids = append(ids, id)
		select {
		case ev := <-onB:
			if ev.id != id {
				t.Fatalf("webhook %d: B's SSE id %d, want the activity id %d", i, ev.id, id)
			}
			latency = append(latency, ev.at.Sub(sent))
		case <-time.After(10 * time.Second):
			t.Fatalf("webhook %d (activity %d) never reached B", i, id)
		}
	}
	gotA := map[int64]int{}
	var extraB []sseArrival
	last := postActivity(t, a, n) // once it is on both streams, nothing earlier is still on its way
	waitFor(t, 30*time.Second, "the last activity on A and B", func() (bool, error) {
		for _, ev := range drain(onA) {
			gotA[ev.id]++
		}
		extraB = append(extraB, drain(onB)...)
		return len(extraB) > 0 && gotA[last] > 0, errNotYet
	})
	if len(extraB) != 1 || extraB[0].id != last {
		t.Errorf("B's stream after the %d events: %v, want only activity %d once", n, extraB, last)
	}
	for _, id := range ids {
		if gotA[id] != 1 {
			t.Errorf("activity %d on A's stream %d times, want once", id, gotA[id])
		}
	}
	slices.Sort(latency)
	t.Logf("webhook to A -> SSE on B, %d events: p50 %v, p99 %v, max %v", n, latency[n/2], latency[n*99/100], latency[n-1])
}

// drain returns what ch holds now.
func drain(ch <-chan sseArrival) []sseArrival {
	var out []sseArrival
	for {
		select {
		case ev := <-ch:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// TestSignOutEndsStreamsElsewhere: a page on instance B streams with a session; signing that session out on A
// ends B's stream within seconds (the revocation is fanned out), not only B's next request.
func TestSignOutEndsStreamsElsewhere(t *testing.T) {
	c := newCluster(t)
	a, b := c.Start(t, nil), c.Start(t, nil)
	browser := a.client(t)
	a.login(t, browser, clusterAdmin, clusterPassword) // the jar's cookie is for 127.0.0.1: it goes to B too
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: browser.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events on B: status %d", resp.StatusCode)
	}
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); ended <- err }()
	select {
	case err := <-ended:
		t.Fatalf("B's stream ended before the sign-out: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if code := post(t, browser, a.URL, "/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("POST /logout on A = %d", code)
	}
	select {
	case <-ended:
	case <-time.After(15 * time.Second):
		t.Fatal("B's stream still open 15 s after signing out on A")
	}
}
