package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/mirror"
)

// TestWebhookUpdatesMirrorAndPushes: a delivery about a mirrored lock updates the mirror (newest event wins),
// reaches the observers, and is pushed to a page watching that device: the activity row, the re-rendered state
// panel, and an alert banner when it starts one.
func TestWebhookUpdatesMirrorAndPushes(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	dev, hub := e.mirrored(t, "lock")
	staff := e.signedInClient(t, db.RoleStaff)
	events := sseEvents(e.stream(t, staff, "/events?device="+dev.ID))
	waitSubscribed(t, e.testEnv, 1)
	now := time.Now().UTC().Truncate(time.Millisecond)

	// Whichever state the lock is in, the delivery reports the other one.
	msg, want, older, olderWant := "Unlock", "unlocked", "Lock", "locked"
	if lockState(dev.State) == "unlocked" {
		msg, want, older, olderWant = older, olderWant, msg, want
	}
	if rep := e.post(t, "", deviceEvent(dev, hub, msg, "", "Jane Doe", now), nil); rep.status != http.StatusOK {
		t.Fatalf("%s: %d %s", msg, rep.status, rep.body)
	}
	row := waitEvent(t, events, "activity", `data-message-type="`+msg+`"`)
	if !strings.Contains(row.data, "Jane Doe") || !strings.Contains(row.data, `data-testid="activity-row"`) {
		t.Errorf("pushed row: %s", row.data)
	}
	panel := waitEvent(t, events, "device-state-"+dev.ID, `data-lock="`+want+`"`)
	if !strings.Contains(panel.data, `sse-swap="device-state-`+dev.ID+`"`) {
		t.Errorf("pushed panel cannot be swapped again: %s", panel.data)
	}
	if got := mirrorLock(t, e, dev.ID); got != want {
		t.Fatalf("mirror lock state %q after %s, want %s", got, msg, want)
	}

	// An older event delivered late (a retry) is logged but does not roll the state back.
	if rep := e.post(t, "", deviceEvent(dev, hub, older, "", "Auto", now.Add(-time.Minute)), nil); rep.status != http.StatusOK {
		t.Fatalf("late %s: %d", older, rep.status)
	}
	if got := mirrorLock(t, e, dev.ID); got != want {
		t.Errorf("a late, older %s changed the state to %q (%s would be %s)", older, got, older, olderWant)
	}

	// Jam: the alert starts, a banner goes out, and the home page lists it.
	if rep := e.post(t, "", deviceEvent(dev, hub, "jammed", `"jammed"`, "", now.Add(time.Minute)), nil); rep.status != http.StatusOK {
		t.Fatalf("jam: %d", rep.status)
	}
	banner := waitEvent(t, events, "alert", `data-kind="jammed"`)
	if !strings.Contains(banner.data, "/devices/"+dev.ID) {
		t.Errorf("banner does not link the device: %s", banner.data)
	}
	home := e.get(t, staff, "/")
	if home.doc.Find(`[data-testid=alert][data-kind=jammed]`).Length() == 0 {
		t.Error("the jam is not on the home page's alerts")
	}
	if live := one(t, home.doc, "live").AttrOr("sse-connect", ""); live != "/events" {
		t.Errorf("home page stream %q, want /events", live)
	}

	// Low battery crosses the mark: the mirror's battery moves and a banner says so.
	if rep := e.post(t, "", deviceEvent(dev, hub, "low_battery", `12`, "", now.Add(2*time.Minute)), nil); rep.status != http.StatusOK {
		t.Fatalf("battery: %d", rep.status)
	}
	waitEvent(t, events, "alert", `data-kind="low_battery"`)
	got, err := e.store.Device(t.Context(), dev.ID)
	if err != nil || got.Battery == nil || *got.Battery != 12 {
		t.Fatalf("battery in the mirror = %v (%v), want 12", got.Battery, err)
	}

	obs := e.observations()
	if len(obs) != 4 || obs[0].MessageType != msg || !strings.HasPrefix(obs[0].Kind, "lock.") ||
		obs[0].DeviceID != dev.ID || obs[0].Actor != "Jane Doe" || obs[0].ActivityID == 0 {
		t.Errorf("observations = %+v", obs)
	}
	// A duplicate is neither observed nor pushed again.
	e.post(t, "", deviceEvent(dev, hub, msg, "", "Jane Doe", now), nil)
	if len(e.observations()) != 4 {
		t.Error("a duplicate delivery was observed again")
	}
}

// TestWebhookHubOfflineAndWatchdog: an explicit offline webhook and heartbeat silence both take a hub offline,
// with its status card and a banner pushed live; a heartbeat brings it back.
func TestWebhookHubOfflineAndWatchdog(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	_, hub := e.mirrored(t, "lock")
	staff := e.signedInClient(t, db.RoleStaff)
	events := sseEvents(e.stream(t, staff, "/events?hub="+hub.ID))
	waitSubscribed(t, e.testEnv, 1)
	now := time.Now().UTC()

	e.post(t, "", hubEvent(hub, "offline", `"Offline"`, now), nil)
	waitEvent(t, events, "hub-status-"+hub.ID, `data-online="false"`)
	waitEvent(t, events, "alert", `data-kind="hub_offline"`)
	if h, _ := e.store.Hub(t.Context(), hub.ID); h.Online {
		t.Fatal("hub still online after an offline webhook")
	}
	e.post(t, "", hubEvent(hub, "heartbeat", `"`+now.Add(time.Minute).Format(time.RFC3339)+`"`, now.Add(time.Minute)), nil)
	waitEvent(t, events, "hub-status-"+hub.ID, `data-online="true"`)
	waitEvent(t, events, "alert", `data-cleared="true"`)

	// Silence: the watchdog, run with a clock past the grace period, marks the hub offline.
	d := Deps{Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), Store: e.store, Broker: e.broker}
	wd := mirror.NewWatchdog(d.Store, d.Logger, time.Minute, HubSilenceNotifier(d))
	if n, err := wd.Check(t.Context()); err != nil || n != 0 {
		t.Fatalf("check within the grace period: %d hubs (%v)", n, err)
	}
	wd.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if n, err := wd.Check(t.Context()); err != nil || n != 1 {
		t.Fatalf("check after the grace period: %d hubs (%v), want 1", n, err)
	}
	waitEvent(t, events, "alert", "No heartbeat for 1m0s")
	if h, _ := e.store.Hub(t.Context(), hub.ID); h.Online {
		t.Fatal("a silent hub is still online")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); wd.Run(ctx) }()
	cancel()
	<-done
}

func mirrorLock(t *testing.T, e *whEnv, id string) string {
	t.Helper()
	d, err := e.store.Device(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return lockState(d.State)
}

// waitSubscribed waits until the broker has n attached streams.
func waitSubscribed(t *testing.T, e *testEnv, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.broker.Stats().Subscribers < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", e.broker.Stats().Subscribers, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
