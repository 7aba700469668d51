package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// documentedLock is the reference's Lock example (§15.2) about a mirrored lock, with every envelope field.
func documentedLock(dev db.Device, hub db.Hub, at time.Time) map[string]any {
	return map[string]any{"hub_id": hub.ID, "home_name": "30011, 5310 West Barry Avenue Common Door", "serial_no": "30011",
		"address": "5310 West Barry Avenue Common Door, Chicago, IL, 60641", "pms_datapull_id": "Rently02|221",
		"device_id": dev.ID, "device_name": "lock-8", "device_type": "lock", "message_type": "Lock", "User": "Auto",
		"details": "locked", "activity_time": at.UnixMilli()}
}

// TestActivityExportsCarryEnvelope: every envelope field a delivery carried is in the JSON export, the CSV export
// and the activity's detail page, address and pms_datapull_id (the link to the customer's PMS) included.
func TestActivityExportsCarryEnvelope(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	dev, hub := e.mirrored(t, "lock")
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	body := documentedLock(dev, hub, at)
	id := deliverJSON(t, e, body)
	want := map[string]string{"hub_id": hub.ID, "home_name": body["home_name"].(string), "serial_no": "30011",
		"address": body["address"].(string), "pms_datapull_id": "Rently02|221", "device_id": dev.ID,
		"device_name": "lock-8", "device_type": "lock", "message_type": "Lock", "details": "locked", "who": "Auto",
		"time_utc": at.Format(time.RFC3339Nano)}
	c := e.signedInClient(t, db.RoleAuditor)

	res := e.get(t, c, "/activities/export?format=json&device="+dev.ID)
	wantStatus(t, res, http.StatusOK)
	var recs []map[string]any
	if err := json.Unmarshal([]byte(res.body), &recs); err != nil {
		t.Fatalf("JSON export: %v", err)
	}
	var rec map[string]any
	for _, r := range recs {
		if strconv.FormatFloat(r["id"].(float64), 'f', -1, 64) == id {
			rec = r
		}
	}
	if rec == nil {
		t.Fatalf("activity %s not in the JSON export", id)
	}
	for k, v := range want {
		if got, ok := rec[k].(string); !ok || got != v {
			t.Errorf("JSON export %s = %#v, want %q", k, rec[k], v)
		}
	}

	res = e.get(t, c, "/activities/export?format=csv&device="+dev.ID)
	wantStatus(t, res, http.StatusOK)
	header, rows := csvRecords(t, res.body)
	row := rows[id]
	if row == nil {
		t.Fatalf("activity %s not in the CSV export", id)
	}
	for k, v := range want {
		j := indexOf(header, k)
		if j < 0 || row[j] != v {
			t.Errorf("CSV export column %s (%d): want %q in %v", k, j, v, row)
		}
	}

	page := e.get(t, c, "/activities/"+id)
	wantStatus(t, page, http.StatusOK)
	for k, v := range want {
		field := map[string]string{"who": "User", "time_utc": "activity_time"}[k]
		if field == "" {
			field = k
		}
		dd := one(t, page.doc, "envelope-"+field)
		if k == "time_utc" {
			if got := dd.Find("time").AttrOr("datetime", ""); got != at.Format(time.RFC3339) {
				t.Errorf("detail page activity_time %q, want %s", got, at.Format(time.RFC3339))
			}
			continue
		}
		if got := text(dd); got != v || dd.AttrOr("data-sent", "") != "true" {
			t.Errorf("detail page %s: %q (sent=%s), want %q", field, got, dd.AttrOr("data-sent", ""), v)
		}
	}
	if got := text(one(t, page.doc, "activity-body")); !strings.Contains(got, "Rently02|221") {
		t.Errorf("delivered body not shown: %q", got)
	}
	// The log's row leads to the detail page.
	log := e.get(t, c, "/activities?device="+dev.ID)
	if href := log.doc.Find(`[data-activity-id="`+id+`"] [data-testid=activity-link]`).AttrOr("href", ""); href != "/activities/"+id {
		t.Errorf("row links to %q, want /activities/%s", href, id)
	}
	for _, bad := range []string{"/activities/999999", "/activities/x"} {
		wantStatus(t, e.get(t, c, bad), http.StatusNotFound)
	}
}

func indexOf(ss []string, s string) int {
	for i, v := range ss {
		if v == s {
			return i
		}
	}
	return -1
}

// TestActivityRowsShowMirrorDeviceName: a delivery without device_name about a device the mirror knows shows the
// mirror's name, not the UUID, on every page that lists activity rows and in the row pushed live; the detail page
// still says the delivery named no device, and shows a delivered name that differs from the mirror's as sent.
func TestActivityRowsShowMirrorDeviceName(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	dev, hub := e.mirrored(t, "lock")
	name := deviceName(dev)
	if name == "" || name == dev.ID {
		t.Fatalf("mirrored lock %s has no name", dev.ID)
	}
	admin := e.signedInClient(t, db.RoleAdmin)
	events := sseEvents(e.stream(t, admin, "/events"))
	waitSubscribed(t, e.testEnv, 1)
	body := documentedLock(dev, hub, time.Now())
	delete(body, "device_name")
	id := deliverJSON(t, e, body)

	pushed := waitEvent(t, events, "activity", `data-activity-id="`+id+`"`)
	if got := text(one(t, parseRow(t, pushed.data), "activity-device")); got != name {
		t.Errorf("pushed row names the device %q, want the mirror's %q", got, name)
	}
	pages := map[string]string{"/activities": "", "/activities?device=" + dev.ID: "", "/devices/" + dev.ID: "activity-feed-device",
		"/hubs/" + hub.ID: "activity-feed-hub", "/properties/" + strconv.FormatInt(*hub.PropertyID, 10): "activity-feed-property"}
	for path, feed := range pages {
		page := e.get(t, admin, path)
		wantStatus(t, page, http.StatusOK)
		scope := page.doc.Selection
		if feed != "" {
			scope = one(t, page.doc, feed)
		}
		row := scope.Find(`[data-activity-id="` + id + `"]`)
		if got := text(row.Find(`[data-testid=activity-device]`)); row.Length() != 1 || got != name {
			t.Errorf("%s: %d rows, device shown as %q, want the mirror's %q", path, row.Length(), got, name)
		}
	}
	detail := e.get(t, admin, "/activities/"+id)
	wantStatus(t, detail, http.StatusOK)
	sent := one(t, detail.doc, "envelope-device_name")
	if sent.AttrOr("data-sent", "") != "false" || !strings.Contains(text(sent), "not sent") {
		t.Errorf("detail page delivered name: %q (sent=%s), want it marked not sent", text(sent), sent.AttrOr("data-sent", ""))
	}
	if got := text(one(t, detail.doc, "activity-mirror-device")); got != name {
		t.Errorf("detail page mirror name %q, want %q", got, name)
	}

	body = documentedLock(dev, hub, time.Now().Add(time.Second)) // delivered as "lock-8"
	id = deliverJSON(t, e, body)
	row := e.get(t, admin, "/activities?device="+dev.ID).doc.Find(`[data-activity-id="` + id + `"]`)
	if got := text(row.Find(`[data-testid=activity-device]`)); got != name {
		t.Errorf("row with a delivered name shows %q, want the mirror's %q", got, name)
	}
	detail = e.get(t, admin, "/activities/"+id)
	if got := text(one(t, detail.doc, "envelope-device_name")); got != "lock-8" {
		t.Errorf("detail page delivered name %q, want lock-8", got)
	}

	// A device the mirror does not know: the delivered name, else the id.
	for i, tc := range []struct{ id, name, want string }{{"dev-unknown-1", "Side gate", "Side gate"}, {"dev-unknown-2", "", "dev-unknown-2"}} {
		body := documentedLock(db.Device{ID: tc.id}, hub, time.Now().Add(time.Duration(2+i)*time.Second))
		body["device_name"] = tc.name
		if tc.name == "" {
			delete(body, "device_name")
		}
		id := deliverJSON(t, e, body)
		row := e.get(t, admin, "/activities").doc.Find(`[data-activity-id="` + id + `"]`)
		if got := text(row.Find(`[data-testid=activity-device]`)); got != tc.want {
			t.Errorf("unknown device: shown as %q, want %q", got, tc.want)
		}
	}
}
