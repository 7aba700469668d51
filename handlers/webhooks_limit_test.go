package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
)

// TestWebhookInboxRateLimit: a flood of unverified deliveries keeps at most the burst; the rest are counted.
func TestWebhookInboxRateLimit(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "the-secret")
	for range ingest.UnverifiedBurst + 15 {
		if rep := e.post(t, "?token=wrong", []byte(`{"x":1}`), nil); rep.status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", rep.status)
		}
	}
	if n := len(e.inbox(t)); n > ingest.UnverifiedBurst+2 { // a token or two may refill while the loop runs
		t.Fatalf("%d inbox rows kept from a flood, want at most about %d", n, ingest.UnverifiedBurst)
	}
	admin := e.signedInClient(t, db.RoleAdmin)
	page := e.get(t, admin, "/inbox")
	wantStatus(t, page, http.StatusOK)
	if s := text(one(t, page.doc, "inbox-refused")); !strings.Contains(s, "refused") {
		t.Errorf("inbox page does not count the refused deliveries: %q", s)
	}
}
