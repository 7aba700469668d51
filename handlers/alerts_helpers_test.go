package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
)

// assignedDevice finds a device of the type on an online hub with a property, and its hub.
func (e *testEnv) assignedDevice(t *testing.T, deviceType string) (db.Device, db.Hub) {
	t.Helper()
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		if !h.Hub.Online || h.Hub.PropertyID == nil {
			continue
		}
		devs, err := e.store.DevicesByHub(t.Context(), h.Hub.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == deviceType && d.PropertyID != nil {
				return d, h.Hub
			}
		}
	}
	t.Fatalf("no %s on an online, assigned hub", deviceType)
	return db.Device{}, db.Hub{}
}

// seenActivities records the activities the observers were told of. Observers run after the answer, so two
// deliveries in a row could otherwise be observed in either order.
type seenActivities struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (s *seenActivities) observe(_ context.Context, ob observe.Observation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[ob.ActivityID] = true
}

func (s *seenActivities) has(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// deliver posts a webhook, fails unless it was stored, and returns once every observer has been told of it.
func (e *testEnv) deliver(t *testing.T, body []byte) {
	t.Helper()
	rep := e.webhook(t, body)
	var got webhookReply
	if rep.status != http.StatusOK || json.Unmarshal([]byte(rep.body), &got) != nil || got.Status != "stored" {
		t.Fatalf("webhook answered %d %s", rep.status, rep.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !e.seen.has(got.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("activity %d not observed within 10s", got.ID)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitAlert polls until the newest alert of the subject and kind satisfies ok (observers run after the answer).
func (e *testEnv) waitAlert(t *testing.T, hubID, deviceID, kind string, ok func(db.Alert) bool) db.Alert {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		page, err := e.store.ListAlerts(t.Context(), db.AlertFilter{HubID: hubID, DeviceID: deviceID, Kind: kind, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 1 && (deviceID != "" || page.Items[0].DeviceID == "") && ok(page.Items[0].Alert) {
			return page.Items[0].Alert
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s alert on %s/%s as wanted within 10s (newest: %+v)", kind, hubID, deviceID, page.Items)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// unresolved reports whether the subject has an unresolved alert of the kind.
func (e *testEnv) unresolved(t *testing.T, hubID, deviceID, kind string) bool {
	t.Helper()
	_, err := e.store.UnresolvedAlert(t.Context(), hubID, deviceID, kind)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// setThresholds posts the settings form as an admin and fails unless it was saved.
func (e *testEnv) setThresholds(t *testing.T, admin *http.Client, form url.Values) {
	t.Helper()
	res := e.postForm(t, admin, "/alerts/settings", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("thresholds %v: %d\n%s", form, res.status, text(byTestID(res.doc, "threshold-error")))
	}
}

func isOpen(a db.Alert) bool     { return a.State == db.AlertOpen }
func isResolved(a db.Alert) bool { return a.State == db.AlertResolved }
