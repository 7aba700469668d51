package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestClusterKillUnderFlood: two instances on one PostgreSQL database take 16 senders' deliveries (alternating
// between them) when instance A is killed with SIGKILL. Afterwards every delivery either instance answered 2xx is
// in the activities table under the id it was answered with, and B, untouched, keeps accepting.
func TestClusterKillUnderFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dashboard binary and kills it")
	}
	bin := buildWebBinary(t)
	c := newCluster(t)
	env := c.Env(map[string]string{"ADDR": "127.0.0.1:0", "WEBHOOK_SECRET": crashSecret, "BCRYPT_COST": "4",
		"LOG_LEVEL": "info"})
	a, b := startChild(t, bin, env), startChild(t, bin, env)
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: floodSenders, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var (
		mu      sync.Mutex
		acked   = map[string]int64{}
		perApp  [2]int
		wg      sync.WaitGroup
		stopped = make(chan struct{})
	)
	for g := range floodSenders {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stopped:
					return
				default:
				}
				target := (g + n) % 2 // every sender alternates, so both instances see every sender's load
				marker := fmt.Sprintf("flood-g%d-n%d", g, n)
				id, ok := sendCrashHook(client, []*child{a, b}[target].URL, marker, g%2 == 0)
				if !ok {
					continue // refused or cut off by the kill: not acknowledged, so not owed
				}
				mu.Lock()
				acked[marker] = id
				perApp[target]++
				mu.Unlock()
			}
		})
	}
	time.Sleep(floodPour)
	a.kill(t)
	time.Sleep(200 * time.Millisecond) // B goes on taking deliveries while A is gone
	close(stopped)
	wg.Wait()
	if perApp[0] == 0 || perApp[1] == 0 {
		t.Fatalf("acknowledged by A %d, by B %d: the flood did not reach both\n%.3000s", perApp[0], perApp[1], a.logs.String())
	}
	for i := range floodAfter {
		marker := fmt.Sprintf("after-kill-%d", i)
		id, ok := sendCrashHook(client, b.URL, marker, i%2 == 0)
		if !ok {
			t.Fatalf("B refused delivery %d after A was killed\n%.3000s", i, b.logs.String())
		}
		acked[marker] = id
	}
	waitProjected(t, c.DSN) // every acknowledged delivery becomes an activity, whichever instance projects
	stored := storedByDetails(t, c.DSN)
	var lost []string
	for marker, id := range acked {
		if ids := stored[marker]; len(ids) != 1 || ids[0] != id {
			lost = append(lost, fmt.Sprintf("%s (answered id %d, stored %v)", marker, id, ids))
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged deliveries are not stored as answered, e.g. %v", len(lost), len(acked), lost[:min(5, len(lost))])
	}
	t.Logf("acknowledged before and after the kill: %d by A, %d by B (+%d after); all %d stored", perApp[0], perApp[1],
		floodAfter, len(acked))
}
