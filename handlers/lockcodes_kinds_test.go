package handlers

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/static"
)

// newSignedLCEnv is newLCEnv whose receiver requires deliveries signed with secret, as the simulator signs them.
func newSignedLCEnv(t *testing.T, secret string) *lcEnv {
	t.Helper()
	env := newTestEnv(t)
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &lcEnv{testEnv: env, observed: &observe.Observers{}}
	up := upstream.New(env.api)
	h := NewServer(Deps{Logger: logger, Store: env.store, Sessions: env.sessions, Hasher: env.hasher,
		Syncer: env.syncer, Upstream: up, Broker: env.broker, Observed: e.observed,
		Codes: startLockCodes(t, logger, env.store, up, env.broker)}, Options{WebhookSecrets: []string{secret}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(env.broker.Close)
	env.srv = srv
	return e
}

// deliver posts body to the receiver with hdr and returns the status.
func (e *lcEnv) deliver(t *testing.T, hdr http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/webhooks/smarthome", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// postSigned delivers body signed with secret under the webhook id, and wants it accepted.
func (e *lcEnv) postSigned(t *testing.T, id string, body []byte, secret string) {
	t.Helper()
	if st := e.deliver(t, signed(id, time.Now(), body, secret), body); st != http.StatusOK {
		t.Fatalf("webhook %s: %d", id, st)
	}
}

func (e *lcEnv) codeRow(t *testing.T, c *http.Client, id string) response {
	t.Helper()
	res := e.get(t, c, "/properties/101/lock-codes")
	wantStatus(t, res, http.StatusOK)
	if res.doc.Find(`[data-testid="lock-code-row"][data-code-id="`+id+`"]`).Length() != 1 {
		t.Fatalf("code %s not listed", id)
	}
	return res
}

// TestLimitedUseCode: a code valid for 2 entries counts each keypad Unlock the webhook attributes to it, once per
// delivery (the same delivery twice counts once), and is removed from its lock after the 2nd, by the system.
func TestLimitedUseCode(t *testing.T) {
	t.Parallel()
	const secret, pin, name = "whsec-limited-use-test", "620418", "Cleaner Sam"
	env := newSignedLCEnv(t, secret)
	c := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]
	hub, err := env.store.Hub(t.Context(), lock.HubID)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {name}, "pin": {pin}, "scope": {"some"}, "device": {lock.ID},
		"validity": {smarthome.ValidityNeverExpires}, "max_uses": {"2"}}
	id := env.create(t, c, lcProperty, form)
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	uses := func(res response) string {
		return res.doc.Find(`[data-code-id="`+id+`"] [data-testid="lock-code-uses"]`).AttrOr("data-uses", "none")
	}
	if got := uses(env.codeRow(t, c, id)); got != "0" {
		t.Errorf("uses shown %q before any entry", got)
	}

	now := time.Now().UTC()
	first := deviceEvent(lock, hub, "Unlock", "", name, now)
	env.postSigned(t, "msg_first", first, secret)
	env.postSigned(t, "msg_first", first, secret) // the sender's retry of the same delivery
	env.postSigned(t, "msg_other", deviceEvent(lock, hub, "Unlock", "", "Someone Else", now.Add(time.Second)), secret)
	code, err := env.store.LockCode(t.Context(), id)
	if err != nil || code.Uses != 1 || code.DeletedAt != nil {
		t.Fatalf("after one entry (delivered twice): uses %d, deleted %v, %v", code.Uses, code.DeletedAt, err)
	}
	if got := uses(env.codeRow(t, c, id)); got != "1" {
		t.Errorf("uses shown %q after one entry", got)
	}

	// The same delivery also kept in the inbox (its signature did not verify), re-processed and confirmed by an
	// admin: still one use.
	if st := env.deliver(t, signed("msg_first", time.Now(), first, "not-the-secret"), first); st != http.StatusUnauthorized {
		t.Fatalf("badly signed copy: %d", st)
	}
	inbox, err := env.store.ListInbox(t.Context(), db.InboxFilter{Limit: 10})
	if err != nil || len(inbox.Items) != 1 {
		t.Fatalf("inbox %+v, %v", inbox.Items, err)
	}
	admin := env.signedInClient(t, db.RoleAdmin)
	for _, confirm := range []string{"", "yes"} {
		r := env.postForm(t, admin, "/inbox/"+strconv.FormatInt(inbox.Items[0].ID, 10)+"/reprocess", url.Values{"confirm": {confirm}}, htmx)
		if r.status >= 500 {
			t.Fatalf("re-process: %d", r.status)
		}
	}
	if a := env.auditFor(t, "webhook_inbox.reprocess"); !slices.ContainsFunc(a, func(e db.AuditEntry) bool {
		return strings.Contains(e.Detail, "already in the log")
	}) {
		t.Errorf("the inbox copy was not found to be the stored delivery: %+v", a)
	}
	if code, _ := env.store.LockCode(t.Context(), id); code.Uses != 1 {
		t.Fatalf("after re-processing the inbox copy: %d uses, want 1", code.Uses)
	}

	env.postSigned(t, "msg_second", deviceEvent(lock, hub, "Unlock", "", name, now.Add(2*time.Second)), secret)
	// An entry reported while the removal is under way starts no second removal and counts nothing.
	env.postSigned(t, "msg_third", deviceEvent(lock, hub, "Unlock", "", name, now.Add(3*time.Second)), secret)
	env.waitCode(t, id, "removed after its 2nd use", func(c db.LockCode) bool { return c.DeletedAt != nil && c.Uses == 2 })
	waitSlotEmpty(t, env, lock.ID, pin)
	a := env.auditFor(t, "lock_code.uses_exhausted")
	if len(a) != 1 || a[0].UserEmail != "system" || a[0].UserID != nil || a[0].Outcome != db.OutcomeOK ||
		!strings.Contains(a[0].Detail, "after 2 uses") || a[0].TargetID != id {
		t.Errorf("exhaustion audit %+v", a)
	}
	row := env.codeRow(t, c, id).doc.Find(`[data-code-id="` + id + `"] [data-testid="lock-code-uses"]`)
	if got := text(row); got != "Removed after 2 uses" {
		t.Errorf("the list says %q of the used-up code", got)
	}
	env.noPIN(t, pin)
}

// TestCodeTermsRefused: entry limits out of 1..100, an unknown kind and a company with markup are refused.
func TestCodeTermsRefused(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct{ name, field, value, errField string }{
		{"zero entries", "max_uses", "0", "max_uses"},
		{"101 entries", "max_uses", "101", "max_uses"},
		{"negative entries", "max_uses", "-3", "max_uses"},
		{"not a number", "max_uses", "2x", "max_uses"},
		{"huge", "max_uses", strings.Repeat("9", 40), "max_uses"},
		{"unknown kind", "kind", "admin", "kind"},
		{"company markup", "company", "<script>x</script>", "company"},
		{"company too long", "company", strings.Repeat("a", 81), "company"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := codeFormValues("Terms "+tt.name, "583920")
			form.Set(tt.field, tt.value)
			res := env.postForm(t, c, "/properties/101/lock-codes", form, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if res.doc.Find(`[data-testid="field-error"][data-field="`+tt.errField+`"]`).Length() != 1 {
				t.Errorf("no error next to %s", tt.errField)
			}
			if strings.Contains(res.body, "<script>") {
				t.Error("the company is echoed unescaped")
			}
		})
	}
	if n := env.upstreamCodeCount(t, lcProperty); n != 0 {
		t.Errorf("%d codes were created upstream", n)
	}
}

// TestVendorCode: a vendor code is stored as such with its company, listed with its own class and badge, and
// audited under its own action.
func TestVendorCode(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	blank := env.get(t, c, "/properties/101/lock-codes/new")
	wantStatus(t, blank, http.StatusOK)
	if one(t, blank.doc, "lock-code-kind-select").Find(`option[value="vendor"]`).Length() != 1 ||
		byTestID(blank.doc, "lock-code-company-input").Length() != 1 || byTestID(blank.doc, "lock-code-max-uses-input").Length() != 1 {
		t.Error("the issue form offers no kind, company or entry limit")
	}
	form := codeFormValues("Plumber", "803719")
	form.Set("kind", "vendor")
	form.Set("company", `Acme Plumbing & "Sons"`)
	id := env.create(t, c, lcProperty, form)
	code, err := env.store.LockCode(t.Context(), id)
	if err != nil || code.Kind != db.CodeKindVendor || code.Company != `Acme Plumbing & "Sons"` || code.MaxUses != 0 {
		t.Fatalf("stored %+v, %v", code, err)
	}
	row := env.codeRow(t, c, id).doc.Find(`[data-testid="lock-code-row"][data-code-id="` + id + `"]`)
	if !row.HasClass("lc-kind-vendor") || row.AttrOr("data-kind", "") != "vendor" {
		t.Errorf("vendor row class %q", row.AttrOr("class", ""))
	}
	if got := text(row.Find(`[data-testid="lock-code-vendor"]`)); got != `Vendor · Acme Plumbing & "Sons"` {
		t.Errorf("vendor badge %q", got)
	}
	if a := env.auditFor(t, "lock_code.vendor.create"); len(a) != 1 || a[0].Outcome != db.OutcomeOK || a[0].TargetID != id {
		t.Errorf("vendor audit %+v", a)
	}
	if a := env.auditFor(t, "lock_code.create"); len(a) != 0 {
		t.Errorf("the vendor code is also audited as a standard one: %+v", a)
	}

	std := env.create(t, c, lcProperty, codeFormValues("Resident", "529174"))
	stdRow := env.codeRow(t, c, std).doc.Find(`[data-testid="lock-code-row"][data-code-id="` + std + `"]`)
	if stdRow.HasClass("lc-kind-vendor") || stdRow.Find(`[data-testid="lock-code-vendor"]`).Length() != 0 {
		t.Error("a standard code is shown as a vendor's")
	}
	css, err := staticCSS()
	if err != nil || !strings.Contains(css, ".lc-kind-vendor") || !strings.Contains(css, ".badge-vendor") {
		t.Errorf("the stylesheet has no vendor colour (%v)", err)
	}
}

// staticCSS is the embedded stylesheet, as served.
func staticCSS() (string, error) {
	b, err := fs.ReadFile(static.FS, "app.css")
	return string(b), err
}
