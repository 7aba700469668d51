package handlers

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// lcService builds a lock-code service over the env's store and upstream, as addRoutes does.
func (e *lcEnv) lcService(t *testing.T) (*access.Service, *observe.Observers) {
	t.Helper()
	obs := &observe.Observers{}
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	svc := startLockCodes(t, logger, e.store, upstream.New(e.api), e.broker)
	obs.Add(svc.Observe)
	return svc, obs
}

// upstreamCreate makes a code directly upstream, as a reservation or invitation would.
func (e *lcEnv) upstreamCreate(t *testing.T, name, pin string, device string, edit func(*smarthome.LockCodeRequest)) string {
	t.Helper()
	req := smarthome.LockCodeRequest{Name: name, Code: smarthome.PIN(pin), DeviceID: device}
	req.SetNeverExpires()
	if edit != nil {
		edit(&req)
	}
	lc, _, err := e.api.LockCodes.Create(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return lc.ID
}

func waitTracker(t *testing.T, tr *access.Tracker) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for tr.Watching() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the tracker still watches %d codes", tr.Watching())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLockCodeSyncAndTracker: a code made upstream (no issuer here) appears with the property's sync, is watched
// while in flight, converges to set, and is let go; a webhook about its lock makes the next check immediate; a code
// deleted elsewhere ends up removed in the mirror.
func TestLockCodeSyncAndTracker(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	svc, obs := env.lcService(t)
	lock := env.locks(t, lcProperty)[0]
	id := env.upstreamCreate(t, "Reservation Ana", "417260", lock.ID, nil)

	if synced, err := svc.SyncProperty(t.Context(), lcProperty, time.Minute); err != nil || !synced {
		t.Fatalf("sync = %v, %v", synced, err)
	}
	if synced, _ := svc.SyncProperty(t.Context(), lcProperty, time.Minute); synced {
		t.Error("a second sync within the gap went upstream")
	}
	code, err := env.store.LockCode(t.Context(), id)
	if err != nil || code.CreatedBy != nil || code.Name != "Reservation Ana" {
		t.Fatalf("mirrored %+v, %v", code, err)
	}
	if svc.Tracker().Watching() != 1 {
		t.Errorf("the tracker watches %d codes, want the one in flight", svc.Tracker().Watching())
	}

	obs.Notify(t.Context(), observe.Observation{DeviceID: lock.ID, MessageType: "Lock", Actor: "Reservation Ana"})
	obs.Notify(t.Context(), observe.Observation{DeviceID: lock.ID, MessageType: "lock_code_added", Actor: "Reservation Ana"})
	next, watched := svc.Tracker().NextCheck(id)
	poked := !watched || !next.After(time.Now())
	if !poked {
		t.Error("a lock_code_added webhook did not make the check immediate")
	}
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	waitTracker(t, svc.Tracker())

	if _, err := env.api.LockCodes.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	svc.Tracker().Track(id)
	gone := env.waitCode(t, id, "removed", allStatus(db.LockCodeRemoved))
	if gone.DeletedAt == nil {
		t.Error("a code the upstream no longer has is not marked deleted")
	}
	waitTracker(t, svc.Tracker())

	page := env.get(t, env.signedInClient(t, db.RoleStaff), "/properties/101/lock-codes")
	row := page.doc.Find(`[data-code-id="` + id + `"]`)
	if !strings.Contains(text(row.Find(`[data-testid=lock-code-issuer]`)), "Smart Home service") || row.AttrOr("data-deleted", "") != "true" {
		t.Errorf("row of an upstream-made, deleted code:\n%s", text(row))
	}
}

// TestLockCodeListNoticeWhenUpstreamDown: the list's refresh keeps showing the mirror, with a notice, when the
// upstream cannot be read.
func TestLockCodeListNoticeWhenUpstreamDown(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	id := env.create(t, c, lcProperty, codeFormValues("Kept", "528104"))
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	env.sim.Close()
	res := env.get(t, c, "/properties/101/lock-codes/list", htmx)
	wantStatus(t, res, 200)
	if byTestID(res.doc, "lock-code-notice").Length() != 1 || res.doc.Find(`[data-code-id="`+id+`"]`).Length() != 1 {
		t.Errorf("no notice, or the code vanished:\n%.1500s", res.body)
	}
}
