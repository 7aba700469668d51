package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// csrfExempt are the POST routes a cross-site sender may use: the upstream's webhook deliveries carry no browser
// headers and authenticate by signature or token.
var csrfExempt = map[string]bool{"POST /webhooks/smarthome": true}

// TestEveryPostRefusesCrossOrigin: every POST route of routes.go (from the role table, with its real ids and
// form) refuses a cross-site request from a signed-in admin with 403, and nothing in the database changes.
// csrf_test.go checks a few targets in depth (the same form passes from our own pages); this one checks breadth.
func TestEveryPostRefusesCrossOrigin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	cases := routeCases(t, env)
	admin := env.signedInClient(t, db.RoleAdmin)
	raw := openStoreFile(t)
	before := dbSnapshot(t, raw)
	n := 0
	for _, rc := range cases {
		if rc.method != http.MethodPost || csrfExempt[rc.pattern] {
			continue
		}
		n++
		for _, hdr := range []http.Header{{"Origin": {"https://evil.example"}}, {"Sec-Fetch-Site": {"cross-site"}}} {
			res := env.do(t, admin, http.MethodPost, rc.path, rc.form, hdr)
			if res.status != http.StatusForbidden {
				t.Errorf("%s (%s) cross-origin %v: status %d, want 403", rc.pattern, rc.path, hdr, res.status)
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d POST routes checked", n)
	}
	after := dbSnapshot(t, raw)
	if counts(before) != counts(after) {
		t.Errorf("refused cross-origin posts changed the database:\nbefore %s\nafter  %s", counts(before), counts(after))
	}
}

// counts is the row-count line of a dbSnapshot.
func counts(snap string) string { return snap[strings.LastIndex(snap, "\n")+1:] }
