package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
)

// TestInboxReprocess: an admin re-processes a kept delivery into an activity; what cannot be read stays failed.
func TestInboxReprocess(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "the-secret")
	dev, hub := e.mirrored(t, "lock")
	body := deviceEvent(dev, hub, "Unlock", "", "Keypad", time.Now())
	if rep := e.post(t, "", body, nil); rep.status != http.StatusUnauthorized {
		t.Fatalf("unsigned delivery: %d", rep.status)
	}
	e.post(t, "?token=the-secret", []byte(`{"not":"a webhook"}`), nil)
	e.post(t, "?token=the-secret", append([]byte(`{"x":"`), bytes.Repeat([]byte("y"), ingest.MaxBody)...), nil)
	entries := e.inbox(t) // newest first: too large, unparseable, unauthenticated
	if len(entries) != 3 {
		t.Fatalf("%d inbox entries, want 3", len(entries))
	}
	reprocess := func(c *http.Client, id int64) response {
		return e.postForm(t, c, "/inbox/"+strconv.FormatInt(id, 10)+"/reprocess", url.Values{}, htmx)
	}
	if r := reprocess(e.signedInClient(t, db.RoleStaff), entries[2].ID); r.status != http.StatusForbidden {
		t.Fatalf("staff re-process: %d, want 403", r.status)
	}
	admin := e.signedInClient(t, db.RoleAdmin)
	tests := []struct {
		name   string
		id     int64
		status int
		want   string
	}{
		{"unauthenticated but readable", entries[2].ID, http.StatusOK, "processed"},
		{"again", entries[2].ID, http.StatusConflict, "processed"},
		{"unparseable", entries[1].ID, http.StatusUnprocessableEntity, "failed"},
		{"truncated", entries[0].ID, http.StatusUnprocessableEntity, "failed"},
		{"unknown", 999999, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reprocess(admin, tt.id)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d\n%.500s", r.status, tt.status, r.body)
			}
			if tt.want == "" {
				return
			}
			row := parseRow(t, r.body)
			if got := one(t, row, "inbox-row").AttrOr("data-status", ""); got != tt.want {
				t.Errorf("row status %q, want %q", got, tt.want)
			}
			if tt.status >= 400 && byTestID(row, "inbox-error").Length() != 1 {
				t.Error("no error shown in the row")
			}
		})
	}
	got := e.activities(t, db.ActivityFilter{DeviceID: dev.ID})
	if len(got) != 1 || got[0].Verified || got[0].Actor != "Keypad" {
		t.Fatalf("re-processed activity %+v", got)
	}
	page := e.get(t, admin, "/inbox?status=failed")
	if n := byTestID(page.doc, "inbox-row").Length(); n != 2 {
		t.Errorf("failed tab: %d rows, want 2", n)
	}
	audits, err := e.store.ListAudit(t.Context(), db.AuditFilter{Action: "webhook_inbox.reprocess"})
	if err != nil || len(audits) != 4 {
		t.Errorf("re-processing audited %d times (%v), want 4", len(audits), err)
	}
}
