package handlers

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// notifyRouteCases are the role cases of the alert notification pages: admins only.
func notifyRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ctx := t.Context()
	admins := []db.Role{db.RoleAdmin}
	mk := func(name string) db.NotifyEndpoint {
		e, err := env.store.CreateNotifyEndpoint(ctx, db.NotifyEndpoint{Name: name, URL: "http://127.0.0.1:1/hook", Secret: "whsec_dGVzdA=="})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	used, spare := mk("roles-used-"+t.Name()), mk("roles-spare-"+t.Name())
	mkRule := func(name string) string {
		r, err := env.store.CreateNotifyRule(ctx, db.NotifyRule{Name: name + t.Name(), MinSeverity: db.SeverityWarning,
			QuietStart: -1, QuietEnd: -1, Enabled: true, Steps: []db.NotifyStep{{EndpointID: &used.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(r.ID, 10)
	}
	rule, doomed := mkRule("roles-rule-"), mkRule("roles-doomed-")
	msg := "ntf_roles_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := env.store.EnqueueNotifications(ctx, []db.Notification{{MessageID: msg, AlertID: 1, Event: "opened",
		Channel: db.ChannelEmail, Target: "a@example.com", Payload: `{}`, DueAt: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	n, err := env.store.NotificationByMessageID(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	nid, ep, sp := strconv.FormatInt(n.ID, 10), strconv.FormatInt(used.ID, 10), strconv.FormatInt(spare.ID, 10)
	empty := url.Values{}
	return []routeCase{
		{pattern: "GET /notifications", method: "GET", path: "/notifications", status: 200, allowed: admins},
		{pattern: "POST /notifications/test-email", method: "POST", path: "/notifications/test-email", form: empty, status: 422, allowed: admins},
		{pattern: "GET /notifications/log/{id}", method: "GET", path: "/notifications/log/" + nid, status: 200, allowed: admins},
		{pattern: "POST /notifications/log/{id}/resend", method: "POST", path: "/notifications/log/" + nid + "/resend", form: empty, status: 200, allowed: admins},
		{pattern: "GET /notifications/rules/new", method: "GET", path: "/notifications/rules/new", status: 200, allowed: admins},
		{pattern: "POST /notifications/rules", method: "POST", path: "/notifications/rules", form: empty, status: 422, allowed: admins},
		{pattern: "GET /notifications/rules/{id}", method: "GET", path: "/notifications/rules/" + rule, status: 200, allowed: admins},
		{pattern: "POST /notifications/rules/{id}", method: "POST", path: "/notifications/rules/" + rule, form: empty, status: 422, allowed: admins},
		{pattern: "POST /notifications/rules/{id}/delete", method: "POST", path: "/notifications/rules/" + doomed + "/delete", form: empty, status: 303, allowed: admins},
		{pattern: "POST /notifications/endpoints", method: "POST", path: "/notifications/endpoints", form: empty, status: 422, allowed: admins},
		{pattern: "GET /notifications/endpoints/{id}", method: "GET", path: "/notifications/endpoints/" + ep, status: 200, allowed: admins},
		{pattern: "POST /notifications/endpoints/{id}/test", method: "POST", path: "/notifications/endpoints/" + ep + "/test", form: empty, status: 200, allowed: admins},
		{pattern: "POST /notifications/endpoints/{id}/disabled", method: "POST", path: "/notifications/endpoints/" + ep + "/disabled", form: empty, status: 303, allowed: admins},
		{pattern: "POST /notifications/endpoints/{id}/delete", method: "POST", path: "/notifications/endpoints/" + sp + "/delete", form: empty, status: 303, allowed: admins},
	}
}
