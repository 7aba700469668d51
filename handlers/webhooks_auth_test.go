package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestWebhookInboxRateLimit: a flood of unverified deliveries keeps at most the burst; the rest are counted.
func TestWebhookInboxRateLimit(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t, "the-secret")
	for range unverifiedBurst + 15 {
		if rep := e.post(t, "?token=wrong", []byte(`{"x":1}`), nil); rep.status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", rep.status)
		}
	}
	if n := len(e.inbox(t)); n > unverifiedBurst+2 { // a token or two may refill while the loop runs
		t.Fatalf("%d inbox rows kept from a flood, want at most about %d", n, unverifiedBurst)
	}
	admin := e.signedInClient(t, db.RoleAdmin)
	page := e.get(t, admin, "/inbox")
	wantStatus(t, page, http.StatusOK)
	if s := text(one(t, page.doc, "inbox-refused")); !strings.Contains(s, "refused") {
		t.Errorf("inbox page does not count the refused deliveries: %q", s)
	}
}

func TestInboxLimiter(t *testing.T) {
	t.Parallel()
	l := newInboxLimiter()
	t0 := time.Now()
	for i := range unverifiedBurst {
		if ok, _ := l.take(t0); !ok {
			t.Fatalf("refused delivery %d within the burst", i)
		}
	}
	for range 5 {
		if ok, _ := l.take(t0); ok {
			t.Fatal("kept a delivery beyond the burst")
		}
	}
	ok, suppressed := l.take(t0.Add(2 * time.Second))
	if !ok || suppressed != 5 || l.Refused() != 5 {
		t.Fatalf("after refill: ok %v suppressed %d refused %d, want true 5 5", ok, suppressed, l.Refused())
	}
	l.unkeep(suppressed) // the row carrying the count could not be written: the count is not lost
	if _, again := l.take(t0.Add(4 * time.Second)); again != 5 {
		t.Errorf("count after a failed write = %d, want 5", again)
	}
}
