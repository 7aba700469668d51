package main

import (
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

const leaderWon = "leader: this instance now runs the background jobs"

// TestClusterLeaderFailover: two dashboard processes on one PostgreSQL database; exactly one leads (and syncs).
// kill -9 of the leader moves the leadership, and the mirror sync with it, to the other within seconds: a new
// sync_runs row, started after the kill, within 10 s.
func TestClusterLeaderFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dashboard binary")
	}
	bin := buildWebBinary(t)
	c := newCluster(t)
	env := c.Env(map[string]string{"ADDR": "127.0.0.1:0", "BCRYPT_COST": "4", "SYNC_INTERVAL": "1h"})
	first, second := startChild(t, bin, env), startChild(t, bin, env)
	var leader, other *child
	waitFor(t, 20*time.Second, "one instance to lead", func() (bool, error) {
		l1, l2 := strings.Contains(first.logs.String(), leaderWon), strings.Contains(second.logs.String(), leaderWon)
		if l1 && l2 {
			t.Fatalf("both instances lead\n--- first:\n%s\n--- second:\n%s", first.logs, second.logs)
		}
		leader, other = first, second
		if l2 {
			leader, other = second, first
		}
		return l1 || l2, errNotYet
	})
	store, err := db.OpenPostgres(t.Context(), c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	waitFor(t, 30*time.Second, "the leader's first sync", func() (bool, error) {
		_, err := store.LastSync(t.Context())
		return err == nil, err
	})
	time.Sleep(3 * time.Second) // a follower that wrongly ran a sync would have by now
	if strings.Contains(other.logs.String(), leaderWon) {
		t.Fatalf("the follower leads too:\n%s", other.logs)
	}

	killed := time.Now()
	leader.kill(t)
	waitFor(t, 10*time.Second, "the other instance to lead and sync", func() (bool, error) {
		run, err := store.LastSync(t.Context())
		if err != nil {
			return false, err
		}
		return strings.Contains(other.logs.String(), leaderWon) && run.StartedAt.After(killed), errNotYet
	})
	t.Logf("took over and synced %v after the kill", time.Since(killed).Round(10*time.Millisecond))
}
