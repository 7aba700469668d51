package handlers

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestJournalLagShown: a delivery appended to the journal a minute ago and not projected (no projector runs here)
// shows on /healthz's detail, still 200, and as the "behind" notice on the home page and the activity log; with
// nothing waiting, no notice.
func TestJournalLagShown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleAdmin)
	for _, path := range []string{"/", "/activities"} {
		if res := env.get(t, c, path); strings.Contains(res.body, "The activity log is behind") {
			t.Errorf("%s with nothing waiting shows the behind notice", path)
		}
	}
	_, err := env.store.Append(t.Context(), db.JournalEntry{DedupeKey: sha256.Sum256([]byte("lag")),
		ReceivedAt: time.Now().Add(-time.Minute), Body: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	res := env.get(t, env.client(t), "/healthz")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.body, "journal: 1 waiting, oldest 6") { // 60.0s and a little
		t.Errorf("healthz %q, want 1 waiting for about 60 s", res.body)
	}
	for _, path := range []string{"/", "/activities"} {
		res := env.get(t, c, path)
		if !strings.Contains(res.body, "The activity log is behind: 1 webhook deliveries are stored but not yet in the log") {
			t.Errorf("%s does not say the projection is behind", path)
		}
	}
}
