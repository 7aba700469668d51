package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestAlertLivePush: a new alert's row reaches the open pages of its property (AlertNewEvent), with the buttons
// for people who may handle it and without them for an auditor; an acknowledgement replaces the row everywhere
// (the event named after the row), the note escaped.
func TestAlertLivePush(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dev, hub := env.quietDevice(t)
	scope := "/events?property=" + strconv.FormatInt(*dev.PropertyID, 10)
	staff := env.signedInClient(t, db.RoleStaff)
	staffEvents := sseEvents(env.stream(t, staff, scope))
	auditorEvents := sseEvents(env.stream(t, env.signedInClient(t, db.RoleAuditor), scope))
	waitSubscribed(t, env, 2)

	env.deliver(t, deviceEvent(dev, hub, "tamper", `"Tamper"`, "", time.Now().UTC()))
	a := env.waitAlert(t, hub.ID, dev.ID, db.AlertTamper, isOpen)
	marker := `data-alert-id="` + strconv.FormatInt(a.ID, 10) + `"`
	if ev := waitEvent(t, staffEvents, "alert-new", marker); !strings.Contains(ev.data, `data-testid="alert-actions"`) {
		t.Errorf("staff's pushed row has no actions: %s", ev.data)
	}
	if ev := waitEvent(t, auditorEvents, "alert-new", marker); strings.Contains(ev.data, `data-testid="alert-actions"`) {
		t.Errorf("the auditor's pushed row has actions: %s", ev.data)
	}

	note := `<img src=x onerror=alert(1)>on it`
	res := env.postForm(t, staff, "/alerts/"+strconv.FormatInt(a.ID, 10)+"/acknowledge", url.Values{"note": {note}}, htmx)
	wantStatus(t, res, http.StatusOK)
	row := "alert-" + strconv.FormatInt(a.ID, 10)
	for _, events := range []<-chan sseEvent{staffEvents, auditorEvents} {
		ev := waitEvent(t, events, row, `data-state="acknowledged"`)
		if strings.Contains(ev.data, "<img") || !strings.Contains(ev.data, "&lt;img") {
			t.Errorf("pushed note not escaped: %s", ev.data)
		}
		if !strings.Contains(ev.data, `sse-swap="`+row+`"`) {
			t.Errorf("the pushed row cannot be replaced again: %s", ev.data)
		}
	}
}
