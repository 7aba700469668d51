package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
)

// Crash test bounds: kept small so the whole test stays within a few seconds per round under -race.
const (
	crashRounds  = 3
	crashSenders = 32
	crashPour    = 1500 * time.Millisecond // deliveries flow this long before the kill
	crashSecret  = "crash-test-webhook-secret"
	crashHub     = "crash-hub" // unknown to the mirror: stored all the same, and easy to select
)

// TestCrashWebhooksSurviveKill: the dashboard is killed with SIGKILL while 32 senders pour webhooks into it; after
// each kill every delivery that was answered 2xx is in the activity log, the file passes PRAGMA integrity_check,
// and the dashboard starts again on the same database. Three rounds, then a clean stop and a last check.
func TestCrashWebhooksSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the dashboard binary")
	}
	bin := buildWebBinary(t)
	dbPath := filepath.Join(t.TempDir(), "dashboard.db")
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_PATH": dbPath, "WEBHOOK_SECRET": crashSecret,
		"BCRYPT_COST": "4", "SIM_COMMAND_DELAY": "200ms", "LOG_LEVEL": "info"}
	acked := map[string]int64{} // delivery marker → the activity id the answer gave
	for round := range crashRounds {
		app := startChild(t, bin, env)
		got := pourUntilKilled(t, app, round)
		if len(got) == 0 {
			t.Fatalf("round %d: no delivery was acknowledged before the kill\n%.3000s", round, app.logs.String())
		}
		for k, v := range got {
			acked[k] = v
		}
		waiting := checkCrashDB(t, dbPath, acked, false)
		t.Logf("round %d: %d deliveries acknowledged before SIGKILL, all present (%d still in the journal only)", round, len(got), waiting)
	}
	// A last start proves the database opens after the final kill, and its projector turns what the kills left
	// in the journal into activities; a clean stop then checkpoints it.
	app := startChild(t, bin, env)
	waitFor(t, 60*time.Second, "the projector to catch up after the kills", func() (bool, error) {
		_, body := getPage(t, http.DefaultClient, app.URL+"/healthz")
		return strings.Contains(body, "journal: 0 waiting"), fmt.Errorf("healthz %q", body)
	})
	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-app.done:
		if app.err != nil {
			t.Fatalf("clean stop after the crashes: %v\n%.3000s", app.err, app.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the dashboard did not stop on SIGTERM")
	}
	checkCrashDB(t, dbPath, acked, true)
}

// pourUntilKilled sends webhooks from crashSenders goroutines (half signed, half with ?token=), kills the process
// after crashPour while they are still sending, and returns what was acknowledged: marker → activity id.
func pourUntilKilled(t *testing.T, app *child, round int) map[string]int64 {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: crashSenders, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var (
		mu    sync.Mutex
		acked = map[string]int64{}
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for g := range crashSenders {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				marker := fmt.Sprintf("crash-r%d-g%d-n%d", round, g, n)
				id, ok := sendCrashHook(client, app.URL, marker, g%2 == 0)
				if !ok {
					continue // refused (the process is dying or gone): not acknowledged, so not owed
				}
				mu.Lock()
				acked[marker] = id
				mu.Unlock()
			}
		})
	}
	time.Sleep(crashPour) // the deliveries are in flight in every goroutine when the kill lands
	app.kill(t)
	close(stop)
	wg.Wait()
	return acked
}

// sendCrashHook posts one delivery and reports the activity id when the answer was 2xx with one.
func sendCrashHook(c *http.Client, base, marker string, sign bool) (int64, bool) {
	body := fmt.Appendf(nil, `{"hub_id":%q,"device_type":"hub","message_type":"heartbeat","details":%q,"activity_time":%d}`,
		crashHub, marker, time.Now().UnixMilli())
	target := base + "/webhooks/smarthome"
	if !sign {
		target += "?token=" + url.QueryEscape(crashSecret)
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, false
	}
	req.Header.Set("Content-Type", "application/json")
	if sign {
		now := time.Now()
		req.Header.Set(smarthome.HeaderWebhookID, "msg_"+marker)
		req.Header.Set(smarthome.HeaderWebhookTimestamp, fmt.Sprint(now.Unix()))
		req.Header.Set(smarthome.HeaderWebhookSignature, smarthome.Sign("msg_"+marker, now, body, crashSecret))
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var rep struct {
		Status string `json:"status"`
		ID     int64  `json:"id"`
	}
	if resp.StatusCode/100 != 2 || json.NewDecoder(resp.Body).Decode(&rep) != nil {
		return 0, false
	}
	return rep.ID, rep.Status == "stored" && rep.ID > 0
}

// checkCrashDB opens the database of a stopped (or killed) dashboard and checks PRAGMA integrity_check and that
// every acknowledged delivery is stored once under the id it was acknowledged with: as an activity, or (unless
// projected, after the projector caught up) as a journal row still waiting for the projector. It returns how many
// were waiting.
func checkCrashDB(t *testing.T, path string, acked map[string]int64, projected bool) int {
	t.Helper()
	// Not mode=ro: after a kill the WAL must be recovered, which a read-only handle may refuse. Nothing is written.
	conn, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var report []string
	rows, err := conn.QueryContext(t.Context(), "PRAGMA integrity_check")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		report = append(report, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if strings.Join(report, "\n") != "ok" {
		t.Fatalf("integrity_check after a kill: %s", strings.Join(report, "\n"))
	}
	stored := crashActivities(t, conn)
	waiting := map[string]int64{}
	if !projected {
		waiting = crashJournal(t, conn)
	}
	var lost []string
	n := 0
	for marker, id := range acked {
		ids := stored[marker]
		if w, ok := waiting[marker]; ok {
			ids = append(ids, w)
			n++
		}
		if len(ids) != 1 || ids[0] != id {
			lost = append(lost, fmt.Sprintf("%s (id %d, stored %v)", marker, id, ids))
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged deliveries are not stored once as answered, e.g. %v", len(lost), len(acked), lost[:min(5, len(lost))])
	}
	return n
}

// crashActivities reads the crash hub's activities: marker → ids (more than one would be a delivery stored twice).
func crashActivities(t *testing.T, conn *sql.DB) map[string][]int64 {
	t.Helper()
	stored := map[string][]int64{}
	rows, err := conn.QueryContext(t.Context(), `SELECT id, details FROM activities WHERE hub_id = ?`, crashHub)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var details string
		if err := rows.Scan(&id, &details); err != nil {
			t.Fatal(err)
		}
		stored[details] = append(stored[details], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return stored
}

// crashJournal reads the journal rows still waiting for the projector: marker (the body's details) → id.
func crashJournal(t *testing.T, conn *sql.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	rows, err := conn.QueryContext(t.Context(), `SELECT id, body FROM webhook_journal WHERE projected = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Details string `json:"details"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatalf("journal row %d: %v", id, err)
		}
		out[ev.Details] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
