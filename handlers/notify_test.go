package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// hookReceiver accepts deliveries whose Standard Webhooks signature verifies with the secret the endpoint page
// showed (the dashboard's own verifier); it is set once the page is read.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	got    []string
	bad    int
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	rx := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rx.mu.Lock()
		defer rx.mu.Unlock()
		if err := smarthome.VerifySignature(r.Header, body, []string{rx.secret}, time.Now()); err != nil {
			rx.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		rx.got = append(rx.got, string(body))
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return rx, srv
}

// TestNotifyEndpointPages: an admin registers an endpoint (hostile name escaped), reads its secret, sends a test
// that the receiver verifies with that secret, sees the attempt, disables and deletes it; everything is audited.
func TestNotifyEndpointPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	rx, srv := newHookReceiver(t)

	res := env.postForm(t, admin, "/notifications/endpoints", url.Values{"name": {"x"}, "url": {"ftp://nope"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(text(one(t, res.doc, "notify-endpoint-errors")), "https://") {
		t.Errorf("errors %q", text(one(t, res.doc, "notify-endpoint-errors")))
	}
	hostile := `<script>alert("x")</script>`
	res = env.postForm(t, admin, "/notifications/endpoints", url.Values{"name": {hostile}, "url": {srv.URL + "/hook"}})
	wantStatus(t, res, http.StatusSeeOther)
	page := res.location()
	res = env.get(t, admin, page)
	wantStatus(t, res, http.StatusOK)
	if res.doc.Find("main script").Length() != 0 || !strings.Contains(text(one(t, res.doc, "page-title")), hostile) {
		t.Fatalf("endpoint name not escaped: %s", res.body)
	}
	secret := text(one(t, res.doc, "notify-endpoint-secret"))
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	rx.mu.Lock()
	rx.secret = secret
	rx.mu.Unlock()

	res = env.postForm(t, admin, page+"/test", url.Values{})
	wantStatus(t, res, http.StatusOK)
	if r := one(t, res.doc, "notify-result"); r.AttrOr("data-ok", "") != "true" {
		t.Fatalf("test result %q", text(r))
	}
	if st := text(one(t, res.doc, "attempt-status")); st != "202" {
		t.Errorf("attempt status %q, want 202", st)
	}
	rx.mu.Lock()
	if len(rx.got) != 1 || rx.bad != 0 || !strings.Contains(rx.got[0], `"type":"test"`) {
		t.Errorf("receiver got %q (%d bad)", rx.got, rx.bad)
	}
	rx.mu.Unlock()

	wantStatus(t, env.postForm(t, admin, page+"/disabled", url.Values{"disabled": {"1"}}), http.StatusSeeOther)
	res = env.get(t, admin, page)
	if byTestID(res.doc, "notify-endpoint-test").Length() != 0 || byTestID(res.doc, "notify-endpoint-enable").Length() != 1 {
		t.Error("a disabled endpoint still offers a test")
	}
	wantStatus(t, env.postForm(t, admin, page+"/test", url.Values{}), http.StatusConflict)
	wantStatus(t, env.postForm(t, admin, page+"/delete", url.Values{}), http.StatusSeeOther)
	wantStatus(t, env.get(t, admin, page), http.StatusNotFound)

	for _, action := range []string{"notify.endpoint.create", "notify.endpoint.test", "notify.endpoint.disable", "notify.endpoint.delete"} {
		if got, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: action}); err != nil || len(got) != 1 {
			t.Errorf("audit %s: %d entries, %v", action, len(got), err)
		}
	}
}

// TestNotifyRuleForm: a rule with problems comes back 422 with each named and the form as typed; a good one is
// saved, listed, edited and deleted; an endpoint a rule uses cannot be deleted.
func TestNotifyRuleForm(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	ep, err := env.store.CreateNotifyEndpoint(t.Context(), db.NotifyEndpoint{Name: "PMS", URL: "https://pms.example/h", Secret: "whsec_dGVzdA=="})
	if err != nil {
		t.Fatal(err)
	}
	epID := strconv.FormatInt(ep.ID, 10)
	bad := url.Values{"name": {"<b>Leaks</b>"}, "kind": {"leak", "bogus"}, "min_severity": {"warning"},
		"quiet_start": {"22:00"}, "step_delay": {"0", "0"}, "step_emails": {"not-an-address", ""}, "step_endpoint": {"", epID}}
	res := env.postForm(t, admin, "/notifications/rules", bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	errs := text(one(t, res.doc, "notify-rule-errors"))
	for _, want := range []string{`"bogus" is not a kind`, "Quiet hours", `Step 1: "not-an-address"`, "Step 2: escalate after 1"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}
	if v := one(t, res.doc, "rule-name").AttrOr("value", ""); v != "<b>Leaks</b>" {
		t.Errorf("name as typed %q", v)
	}
	good := url.Values{"name": {"Leaks"}, "kind": {"leak"}, "min_severity": {"critical"}, "quiet_start": {"22:00"},
		"quiet_end": {"07:00"}, "enabled": {"1"}, "step_delay": {"0", "15"}, "step_emails": {"a@example.com", ""},
		"step_endpoint": {"", epID}}
	wantStatus(t, env.postForm(t, admin, "/notifications/rules", good), http.StatusSeeOther)
	res = env.get(t, admin, "/notifications")
	row := one(t, res.doc, "notify-rule-row")
	if s := text(row); !strings.Contains(s, "Water leak") || !strings.Contains(s, "22:00–07:00") || !strings.Contains(s, "a@example.com") {
		t.Errorf("rule row %q", s)
	}
	edit, _ := one(t, res.doc, "notify-rule-link").Attr("href")
	res = env.get(t, admin, edit)
	wantStatus(t, res, http.StatusOK)
	if v := one(t, res.doc, "rule-quiet-end").AttrOr("value", ""); v != "07:00" {
		t.Errorf("quiet end %q", v)
	}
	good.Set("name", "Leaks and smoke")
	good["kind"] = []string{"leak", "smoke"}
	wantStatus(t, env.postForm(t, admin, edit, good), http.StatusSeeOther)
	if rules, _ := env.store.ListNotifyRules(t.Context()); len(rules) != 1 || rules[0].Name != "Leaks and smoke" || len(rules[0].Kinds) != 2 {
		t.Errorf("rules %+v", rules)
	}
	res = env.postForm(t, admin, "/notifications/endpoints/"+epID+"/delete", url.Values{})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(text(one(t, res.doc, "notify-endpoint-error")), "Leaks and smoke") {
		t.Errorf("in-use message %q", text(one(t, res.doc, "notify-endpoint-error")))
	}
	wantStatus(t, env.postForm(t, admin, edit+"/delete", url.Values{}), http.StatusSeeOther)
	wantStatus(t, env.get(t, admin, edit), http.StatusNotFound)
	for _, action := range []string{"notify.rule.create", "notify.rule.update", "notify.rule.delete"} {
		if got, _ := env.store.ListAudit(t.Context(), db.AuditFilter{Action: action}); len(got) != 1 {
			t.Errorf("audit %s: %d entries", action, len(got))
		}
	}
}

// TestNotificationResend: the log lists a failed notification; resend makes a new attempt record, shown on its
// page; hostile text in the stored alert is escaped.
func TestNotificationResend(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	rx, srv := newHookReceiver(t)
	rx.secret = "whsec_dGVzdA=="
	ep, err := env.store.CreateNotifyEndpoint(t.Context(), db.NotifyEndpoint{Name: "PMS", URL: srv.URL, Secret: rx.secret})
	if err != nil {
		t.Fatal(err)
	}
	payload := `{"ID":5,"Kind":"leak","PropertyName":"<img src=x onerror=alert(1)>","DeviceName":"Sink","Zone":"America/Denver"}`
	if _, err := env.store.EnqueueNotifications(t.Context(), []db.Notification{{MessageID: "ntf_resend", AlertID: 5,
		Event: "opened", Channel: db.ChannelWebhook, Target: ep.URL, EndpointID: &ep.ID, Payload: payload, DueAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	res := env.get(t, admin, "/notifications")
	link := one(t, res.doc, "notification-link")
	if res.doc.Find("main img").Length() != 0 || !strings.Contains(text(link), "<img src=x") {
		t.Fatalf("hostile property name: %q", text(link))
	}
	page, _ := link.Attr("href")
	res = env.postForm(t, admin, page+"/resend", url.Values{})
	wantStatus(t, res, http.StatusOK)
	if one(t, res.doc, "notify-result").AttrOr("data-ok", "") != "true" || byTestID(res.doc, "attempt-row").Length() != 1 {
		t.Fatalf("after resend: %s", res.body)
	}
	if text(one(t, res.doc, "notification-state")) != "sent" {
		t.Errorf("state %q", text(one(t, res.doc, "notification-state")))
	}
	wantStatus(t, env.postForm(t, admin, page+"/resend", url.Values{}), http.StatusOK)
	if got, _ := env.store.NotificationAttempts(t.Context(), mustID(t, page)); len(got) != 2 {
		t.Errorf("%d attempts after two resends", len(got))
	}
	res = env.get(t, admin, "/notifications/endpoints/"+strconv.FormatInt(ep.ID, 10))
	if n := byTestID(res.doc, "attempt-row").Length(); n != 2 {
		t.Errorf("endpoint log shows %d attempts, want 2", n)
	}
}

func mustID(t *testing.T, page string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(page[strings.LastIndex(page, "/")+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestNotifyCSRF: a cross-site form post to the notification pages is refused and changes nothing.
func TestNotifyCSRF(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	res := env.do(t, admin, http.MethodPost, "/notifications/endpoints", url.Values{"name": {"evil"}, "url": {"https://evil.example"}},
		http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
	wantStatus(t, res, http.StatusForbidden)
	if eps, _ := env.store.ListNotifyEndpoints(t.Context()); len(eps) != 0 {
		t.Errorf("a cross-site post registered %d endpoints", len(eps))
	}
}
