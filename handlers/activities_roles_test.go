package handlers

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// activityRouteCases are the role cases of the webhook intake, the activity log and the webhook inbox.
func activityRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	readers := []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleAuditor}
	admins := []db.Role{db.RoleAdmin}
	kept, err := env.store.AddInbox(t.Context(), db.InboxEntry{Reason: db.ReasonUnparseable, Detail: "test",
		Body: []byte("not json"), BodySize: 8})
	if err != nil {
		t.Fatal(err)
	}
	inbox := "/inbox/" + strconv.FormatInt(kept, 10) + "/reprocess"
	logged, err := env.store.Ingest(t.Context(), db.IngestItem{Body: []byte(`{}`), Activity: db.Activity{At: time.Now(),
		HubID: ids.hub, MessageType: "online", Kind: "hub.online", DedupeKey: db.DedupeKey(time.Now(), [32]byte{1})}})
	if err != nil {
		t.Fatal(err)
	}
	return []routeCase{
		// No secret in the test env: an empty body is read and kept in the inbox, whoever sends it.
		{pattern: "POST /webhooks/smarthome", method: "POST", path: "/webhooks/smarthome", form: url.Values{}, public: true, status: 202},
		{pattern: "GET /activities", method: "GET", path: "/activities?property=" + ids.property, status: 200, allowed: readers},
		{pattern: "GET /activities/export", method: "GET", path: "/activities/export?format=csv", status: 200, allowed: readers},
		{pattern: "GET /activities/{id}", method: "GET", path: "/activities/" + strconv.FormatInt(logged.ID, 10), status: 200, allowed: readers},
		{pattern: "GET /activities/feed", method: "GET", path: "/activities/feed?device=" + ids.device, status: 200, allowed: readers},
		{pattern: "GET /inbox", method: "GET", path: "/inbox", status: 200, allowed: admins},
		{pattern: "POST /inbox/{id}/reprocess", method: "POST", path: inbox, form: url.Values{}, status: 422, allowed: admins},
	}
}
