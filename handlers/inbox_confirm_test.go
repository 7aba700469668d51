package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// onlineHubs returns n online hubs that belong to a property.
func (e *whEnv) onlineHubs(t *testing.T, n int) []db.Hub {
	t.Helper()
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []db.Hub
	for _, h := range res.Items {
		if h.Hub.Online && h.Hub.PropertyID != nil && len(out) < n {
			out = append(out, h.Hub)
		}
	}
	if len(out) < n {
		t.Fatalf("%d online assigned hubs, want %d", len(out), n)
	}
	return out
}

// hubOnline reads a hub's mirrored connectivity.
func (e *whEnv) hubOnline(t *testing.T, id string) bool {
	t.Helper()
	h, err := e.store.Hub(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h.Online
}

// hubAlerted reports whether the home page's alerts list the hub as offline.
func (e *whEnv) hubAlerted(t *testing.T, id string) bool {
	t.Helper()
	alerts, err := e.store.AlertDevices(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(alerts, func(a db.DeviceAlert) bool { return a.Kind == db.AlertHubOffline && a.HubID == id })
}

// activityNote is what the log page says of an activity's verification ("" when nothing).
func (e *whEnv) activityNote(t *testing.T, c *http.Client, a db.ActivityView) string {
	t.Helper()
	page := e.get(t, c, "/activities?hub="+url.QueryEscape(a.HubID))
	row := page.doc.Find(`[data-activity-id="` + strconv.FormatInt(a.ID, 10) + `"]`)
	if row.Length() != 1 {
		t.Fatalf("activity %d not on the log page", a.ID)
	}
	return text(row.Find(`[data-testid=activity-unverified]`))
}

// reprocess posts the inbox entry's re-process form as htmx does, with confirm=yes when confirm is set.
func (e *whEnv) reprocess(t *testing.T, c *http.Client, id int64, confirm bool) response {
	t.Helper()
	form := url.Values{}
	if confirm {
		form.Set("confirm", "yes")
	}
	return e.postForm(t, c, "/inbox/"+strconv.FormatInt(id, 10)+"/reprocess", form, htmx)
}

// TestInboxReprocessUnverifiedNeedsConfirm: a forged "hub offline" re-processed by an admin is logged as an
// unverified activity and changes nothing (mirror, live marks, trackers, alerts) until the admin confirms it on a
// second POST, after being shown why it was rejected. Only admins may do either; each step is audited.
func TestInboxReprocessUnverifiedNeedsConfirm(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "the-secret")
	hubs := e.onlineHubs(t, 2)
	a, b := hubs[0], hubs[1]
	now := time.Now()
	if rep := e.post(t, "?token=wrong", hubEvent(a, "offline", `"Offline"`, now), nil); rep.status != http.StatusUnauthorized {
		t.Fatalf("forged delivery: %d", rep.status)
	}
	forged := e.inbox(t)[0]
	admin := e.signedInClient(t, db.RoleAdmin)

	for _, role := range []db.Role{db.RoleStaff, db.RoleInstaller, db.RoleAuditor} {
		if r := e.reprocess(t, e.signedInClient(t, role), forged.ID, true); r.status != http.StatusForbidden {
			t.Errorf("%s re-process: %d, want 403", role, r.status)
		}
	}

	r := e.reprocess(t, admin, forged.ID, false)
	wantStatus(t, r, http.StatusOK)
	row := parseRow(t, r.body)
	if got := text(byTestID(row, "inbox-held")); !strings.Contains(got, "Bad token or signature") {
		t.Errorf("the held notice does not say why the delivery was rejected: %q", got)
	}
	confirm := byTestID(row, "inbox-confirm")
	if confirm.Length() != 1 || confirm.Find(`input[name=confirm][value=yes]`).Length() != 1 {
		t.Fatalf("no confirm form after the first POST:\n%s", r.body)
	}
	if !e.hubOnline(t, a.ID) || e.hubAlerted(t, a.ID) {
		t.Fatal("an unconfirmed forged hub-offline changed the mirror")
	}
	if obs := e.observations(); len(obs) != 0 {
		t.Errorf("trackers were told of an unconfirmed delivery: %+v", obs)
	}
	acts := e.activities(t, db.ActivityFilter{HubID: a.ID, MessageType: "offline"})
	if len(acts) != 1 || acts[0].Verified {
		t.Fatalf("activities %+v, want one, unverified", acts)
	}
	if got := e.activityNote(t, admin, acts[0]); !strings.Contains(got, "not applied") {
		t.Errorf("the log does not show the activity as unverified and held: %q", got)
	}

	r = e.reprocess(t, admin, forged.ID, true)
	wantStatus(t, r, http.StatusOK)
	if e.hubOnline(t, a.ID) || !e.hubAlerted(t, a.ID) {
		t.Fatal("the confirmed delivery was not applied")
	}
	acts = e.activities(t, db.ActivityFilter{HubID: a.ID, MessageType: "offline"})
	if len(acts) != 1 || acts[0].Verified {
		t.Fatalf("after confirming: %+v, want the same activity, still unverified", acts)
	}
	if got := e.activityNote(t, admin, acts[0]); !strings.Contains(got, "unverified") || strings.Contains(got, "not applied") {
		t.Errorf("after confirming, the log says %q", got)
	}
	if r := e.reprocess(t, admin, forged.ID, true); r.status != http.StatusConflict {
		t.Errorf("confirming twice: %d, want 409", r.status)
	}

	// A confirm field on the first POST is not a confirmation: the reason has not been shown yet.
	e.post(t, "", hubEvent(b, "offline", `"Offline"`, now), nil)
	early := e.inbox(t)[0]
	wantStatus(t, e.reprocess(t, admin, early.ID, true), http.StatusOK)
	if !e.hubOnline(t, b.ID) {
		t.Fatal("a first POST carrying confirm=yes applied the delivery")
	}
	// The held delivery moved no live mark: older genuine events still apply.
	e.post(t, "?token=the-secret", hubEvent(b, "offline", `"Offline"`, now.Add(-2*time.Minute)), nil)
	e.post(t, "?token=the-secret", hubEvent(b, "online", `"Online"`, now.Add(-time.Minute)), nil)
	if !e.hubOnline(t, b.ID) {
		t.Error("genuine older events were ignored: the held delivery moved the live marks")
	}

	audits, err := e.store.ListAudit(t.Context(), db.AuditFilter{Action: "webhook_inbox.reprocess"})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, au := range audits {
		if au.UserEmail == "" || au.TargetID == "" {
			t.Errorf("audit without who or which delivery: %+v", au)
		}
		details = append(details, au.TargetID+" "+au.Outcome+" "+au.Detail)
	}
	fid, eid := strconv.FormatInt(forged.ID, 10), strconv.FormatInt(early.ID, 10)
	want := []string{fid + " ok not confirmed", fid + " ok confirmed", fid + " failed confirmed", eid + " ok not confirmed"}
	for _, w := range want {
		if !slices.ContainsFunc(details, func(d string) bool { return strings.HasPrefix(d, w) }) {
			t.Errorf("no audit %q in %q", w, details)
		}
	}
}

// TestInboxReprocessDeduplicates: a replayed signed delivery (outside its window) re-processed after the genuine one
// was stored, the same forged delivery kept twice, and a genuine retry arriving after its replay was re-processed
// all leave one activity each.
func TestInboxReprocessDeduplicates(t *testing.T) {
	t.Parallel()
	const secret = "the-secret"
	e := newWebhookEnv(t, secret)
	dev, hub := e.mirrored(t, "lock")
	admin := e.signedInClient(t, db.RoleAdmin)
	now := time.Now()

	body := deviceEvent(dev, hub, "Unlock", "", "Keypad", now.Add(-time.Minute))
	wantWebhook(t, e.post(t, "", body, signed("msg_replayed", now, body, secret)), http.StatusOK)
	wantWebhook(t, e.post(t, "", body, signed("msg_replayed", now.Add(-10*time.Minute), body, secret)), http.StatusUnauthorized)
	replay := e.inbox(t)[0]
	if replay.Reason != db.ReasonExpiredSignature {
		t.Fatalf("replay kept as %q", replay.Reason)
	}
	r := e.reprocess(t, admin, replay.ID, false)
	wantStatus(t, r, http.StatusOK)
	if byTestID(parseRow(t, r.body), "inbox-confirm").Length() != 0 {
		t.Error("a replay of a stored delivery asks to be confirmed")
	}
	if got := e.activities(t, db.ActivityFilter{DeviceID: dev.ID, MessageType: "Unlock"}); len(got) != 1 || !got[0].Verified {
		t.Fatalf("replay re-processed: %d activities, want the one genuine", len(got))
	}
	if r := e.reprocess(t, admin, replay.ID, false); r.status != http.StatusConflict {
		t.Errorf("re-processing twice: %d, want 409", r.status)
	}

	forged := hubEvent(hub, "power_source", `"battery"`, now)
	e.post(t, "", forged, nil)
	e.post(t, "", forged, nil)
	for _, entry := range e.inbox(t)[:2] {
		wantStatus(t, e.reprocess(t, admin, entry.ID, false), http.StatusOK)
	}
	if got := e.activities(t, db.ActivityFilter{HubID: hub.ID, MessageType: "power_source"}); len(got) != 1 {
		t.Errorf("the same forged delivery kept twice: %d activities, want 1", len(got))
	}

	// The sender's clock was off: its signature expired, an admin logged it, then its retry arrived in the window.
	retried := hubEvent(hub, "offline", `"Offline"`, now)
	wantWebhook(t, e.post(t, "", retried, signed("msg_retried", now.Add(-10*time.Minute), retried, secret)), http.StatusUnauthorized)
	wantStatus(t, e.reprocess(t, admin, e.inbox(t)[0].ID, false), http.StatusOK)
	wantWebhook(t, e.post(t, "", retried, signed("msg_retried", now, retried, secret)), http.StatusOK)
	got := e.activities(t, db.ActivityFilter{HubID: hub.ID, MessageType: "offline"})
	if len(got) != 1 || !got[0].Verified {
		t.Fatalf("after the genuine retry: %+v, want one verified activity", got)
	}
	if note := e.activityNote(t, admin, got[0]); note != "" {
		t.Errorf("after the genuine retry the log says %q", note)
	}
	if e.hubOnline(t, hub.ID) {
		t.Error("the genuine retry of a held delivery did not change the mirror")
	}
}

// TestInboxReprocessUnparseable: a body that does not read cannot be turned into anything, confirmed or not.
func TestInboxReprocessUnparseable(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "the-secret")
	e.post(t, "", []byte(`{"hub_id":"x","message_type":"offline"}`), nil)
	entry := e.inbox(t)[0]
	admin := e.signedInClient(t, db.RoleAdmin)
	before := len(e.activities(t, db.ActivityFilter{}))
	for _, confirm := range []bool{false, true} {
		r := e.reprocess(t, admin, entry.ID, confirm)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("confirm=%v: %d, want 422", confirm, r.status)
		}
		if byTestID(parseRow(t, r.body), "inbox-confirm").Length() != 0 {
			t.Errorf("confirm=%v: an unreadable delivery offers to be applied", confirm)
		}
	}
	// Every activity, not only the hub's: a handler that went on after answering 422 would store an empty one.
	if got := len(e.activities(t, db.ActivityFilter{})); got != before {
		t.Errorf("re-processing an unreadable delivery changed the log from %d to %d activities", before, got)
	}
}

func wantWebhook(t *testing.T, rep whReply, status int) {
	t.Helper()
	if rep.status != status {
		t.Fatalf("webhook answered %d %s, want %d", rep.status, rep.body, status)
	}
}
