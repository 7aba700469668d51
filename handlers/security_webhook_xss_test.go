package handlers

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// hostileWebhook is a delivery whose every string field carries a payload; hubID and deviceID are used as given
// (a mirrored id, or a hostile unknown one).
func hostileWebhook(hubID, deviceID, messageType string, at time.Time, n int) []byte {
	p := func(i int) string { return xssPayloads[(n+i)%len(xssPayloads)] }
	body := map[string]any{"hub_id": hubID, "home_name": p(0), "serial_no": p(1), "address": p(2),
		"pms_datapull_id": p(3), "device_id": deviceID, "device_name": p(0), "device_type": "lock",
		"message_type": messageType, "details": p(1), "User": "=HYPERLINK(\"http://evil.example\")" + p(2),
		"activity_time": at.UnixMilli()}
	b, _ := json.Marshal(body)
	return b
}

// TestHostileWebhookFieldsShownAsText: webhooks whose every string field holds markup (about a known lock, and
// about unknown hub and device ids that are themselves markup) are logged, pushed and exported as text: the log
// page, each activity's detail page (every envelope field) and every pushed fragment hold no markup from them, and
// the CSV export defuses spreadsheet formulas.
func TestHostileWebhookFieldsShownAsText(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	dev, hub := e.mirrored(t, "lock")
	admin := e.signedInClient(t, db.RoleAdmin)
	events := sseEvents(e.stream(t, admin, "/events"))
	waitSubscribed(t, e.testEnv, 1)
	now := time.Now().UTC().Truncate(time.Millisecond)
	deliveries := [][]byte{
		hostileWebhook(hub.ID, dev.ID, "Unlock", now, 0),
		hostileWebhook(hub.ID, dev.ID, xssPayloads[0], now.Add(time.Second), 1),
		hostileWebhook(`=cmd|' /C calc'!A0`+xssPayloads[1], "@SUM(1)"+xssPayloads[2], "Lock", now.Add(2*time.Second), 2),
	}
	var details []string // each delivery's detail page: every envelope field, address and pms_datapull_id too
	for i, b := range deliveries {
		rep := e.post(t, "", b, nil)
		if rep.status != http.StatusOK && rep.status != http.StatusAccepted {
			t.Fatalf("delivery %d: %d %s", i, rep.status, rep.body)
		}
		var got webhookReply
		if json.Unmarshal([]byte(rep.body), &got) == nil && got.Status == "stored" {
			details = append(details, "/activities/"+strconv.FormatInt(got.ID, 10))
		}
	}
	if len(details) != len(deliveries) {
		t.Fatalf("%d of %d deliveries stored as activities", len(details), len(deliveries))
	}
	pushed := waitEvent(t, events, "activity", "xss")
	wantInert(t, "pushed activity", pushed.data)
	deadline := time.After(500 * time.Millisecond) // the rest of what the deliveries pushed
	for done := false; !done; {
		select {
		case ev := <-events:
			wantInert(t, "pushed "+ev.name, ev.data)
		case <-deadline:
			done = true
		}
	}
	for _, path := range []string{"/activities", "/activities?q=xss", "/activities?device=" + dev.ID, "/inbox",
		"/devices/" + dev.ID, "/hubs/" + hub.ID, "/"} {
		res := e.get(t, admin, path)
		wantStatus(t, res, http.StatusOK)
		if n := wantInert(t, path, res.body); n == 0 && strings.HasPrefix(path, "/activities") {
			t.Errorf("%s shows no payload text: the deliveries were not logged", path)
		}
	}
	for _, path := range details {
		res := e.get(t, admin, path)
		wantStatus(t, res, http.StatusOK)
		for _, f := range []string{"address", "pms_datapull_id", "device_name", "home_name"} {
			if !strings.Contains(text(one(t, res.doc, "envelope-"+f)), "xss") {
				t.Errorf("%s: %s shows no payload text", path, f)
			}
		}
		wantInert(t, path, res.body)
	}
	wantSafeExports(t, e.testEnv, admin)
}

// wantSafeExports checks both activity exports: downloads (never rendered as a page), CSV cells that a
// spreadsheet would run as formulas are defused, JSON parses.
func wantSafeExports(t *testing.T, env *testEnv, c *http.Client) {
	t.Helper()
	res := env.get(t, c, "/activities/export?format=csv")
	wantStatus(t, res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
		!strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("CSV export headers %v", res.header)
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV export: %v", err)
	}
	if len(recs) < 4 {
		t.Fatalf("CSV export: %d records, want the header and 3 deliveries", len(recs))
	}
	for i, rec := range recs[1:] {
		for j, cell := range rec {
			if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				continue
			}
			if _, err := strconv.ParseFloat(cell, 64); err != nil {
				t.Errorf("CSV row %d column %s: a formula cell %q", i+1, recs[0][j], cell)
			}
		}
	}
	res = env.get(t, c, "/activities/export?format=json")
	wantStatus(t, res, http.StatusOK)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(res.body), &rows); err != nil || len(rows) < 3 {
		t.Fatalf("JSON export: %d rows, %v", len(rows), err)
	}
	if ct := res.header.Get("Content-Type"); strings.Contains(ct, "html") {
		t.Errorf("JSON export served as %q", ct)
	}
}
