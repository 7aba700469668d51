package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the activity log behind the instances' backs

	"github.com/keyless/dashboard/smarthome"
)

// Bounds of the two-instance webhook tests.
const (
	twinDeliveries = 50 // distinct deliveries, each posted to both instances at once
	floodSenders   = 16
	floodPour      = 1500 * time.Millisecond // deliveries flow this long before instance A is killed
	floodAfter     = 20                      // deliveries B must still accept after the kill
)

// webhookAnswer is what a dashboard answers a delivery.
type webhookAnswer struct {
	Code   int
	Status string `json:"status"`
	ID     int64  `json:"id"`
}

// postSigned posts one Standard Webhooks delivery (body, id and signature fixed by the caller, as a sender's retry
// would be) to base.
func postSigned(c *http.Client, base, msgID string, at time.Time, body []byte, secret string) (webhookAnswer, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/smarthome", bytes.NewReader(body))
	if err != nil {
		return webhookAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(smarthome.HeaderWebhookID, msgID)
	req.Header.Set(smarthome.HeaderWebhookTimestamp, fmt.Sprint(at.Unix()))
	req.Header.Set(smarthome.HeaderWebhookSignature, smarthome.Sign(msgID, at, body, secret))
	resp, err := c.Do(req)
	if err != nil {
		return webhookAnswer{}, err
	}
	defer resp.Body.Close()
	a := webhookAnswer{Code: resp.StatusCode}
	err = json.NewDecoder(resp.Body).Decode(&a)
	return a, err
}

// TestClusterSameDeliveryTwice: a sender whose retry lands on the other instance, or two load-balanced copies of
// one delivery, must not make two activities. Each of 50 deliveries is posted to A and B at the same moment: both
// answer 2xx with the same activity id (one "stored", one "duplicate"), and the database holds it once.
func TestClusterSameDeliveryTwice(t *testing.T) {
	c := newCluster(t)
	apps := []*testApp{c.Start(t, nil), c.Start(t, nil)}
	client := &http.Client{Timeout: 30 * time.Second}
	for n := range twinDeliveries {
		marker := fmt.Sprintf("twin-%d", n)
		at := time.Now()
		body := fmt.Appendf(nil, `{"hub_id":%q,"device_type":"hub","message_type":"heartbeat","details":%q,"activity_time":%d}`,
			crashHub, marker, at.UnixMilli())
		var answers [2]webhookAnswer
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{}) // both requests leave together, so their inserts race
		for i, a := range apps {
			wg.Go(func() {
				<-start
				answers[i], errs[i] = postSigned(client, a.URL, "msg_"+marker, at, body, clusterWebhookSecret)
			})
		}
		close(start)
		wg.Wait()
		for i := range apps {
			if errs[i] != nil || answers[i].Code/100 != 2 || answers[i].ID == 0 {
				t.Fatalf("delivery %d to instance %d: %+v, %v", n, i, answers[i], errs[i])
			}
		}
		if answers[0].ID != answers[1].ID {
			t.Fatalf("delivery %d: the instances answered activity ids %d and %d", n, answers[0].ID, answers[1].ID)
		}
		statuses := map[string]bool{answers[0].Status: true, answers[1].Status: true}
		if !statuses["stored"] || !statuses["duplicate"] {
			t.Fatalf("delivery %d: answers %q and %q, want one stored and one duplicate", n, answers[0].Status, answers[1].Status)
		}
	}
	waitProjected(t, c.DSN)
	stored := storedByDetails(t, c.DSN)
	if len(stored) != twinDeliveries {
		t.Fatalf("%d distinct deliveries stored, want %d", len(stored), twinDeliveries)
	}
	for marker, ids := range stored {
		if len(ids) != 1 {
			t.Errorf("delivery %s is stored %d times: %v", marker, len(ids), ids)
		}
	}
}

// waitProjected waits until no journal row waits for the projector.
func waitProjected(t *testing.T, dsn string) {
	t.Helper()
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Generous: after a kill of the leader, the projector waits for the leader lock to pass to a survivor.
	waitFor(t, 90*time.Second, "the projector to empty the journal", func() (bool, error) {
		var n int
		err := conn.QueryRowContext(t.Context(), `SELECT count(*) FROM webhook_journal WHERE projected = 0`).Scan(&n)
		return err == nil && n == 0, fmt.Errorf("%d rows waiting (%v)", n, err)
	})
}

// storedByDetails reads the test hub's activities straight from PostgreSQL: details (the marker) → ids.
func storedByDetails(t *testing.T, dsn string) map[string][]int64 {
	t.Helper()
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(t.Context(), `SELECT id, details FROM activities WHERE hub_id = $1`, crashHub)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var id int64
		var details string
		if err := rows.Scan(&id, &details); err != nil {
			t.Fatal(err)
		}
		out[details] = append(out[details], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
