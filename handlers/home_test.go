package handlers

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

func TestHomePage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(forceAlerts))
	up := readUpstream(t, env.api)
	var offline, low int
	for _, h := range up.hubs {
		if !h.Online() {
			offline++
		}
		for _, d := range h.devices {
			if b, ok := deviceBattery(d); ok && b < db.LowBatteryPercent {
				low++
			}
		}
	}
	res := env.get(t, env.signedInClient(t, db.RoleAuditor), "/")
	wantStatus(t, res, http.StatusOK)
	for id, want := range map[string]int{"count-properties": len(up.properties), "count-hubs": len(up.hubs),
		"count-hubs-offline": offline, "count-low-batteries": low} {
		if got := text(one(t, res.doc, id).Find(`[data-testid="count-value"]`)); got != strconv.Itoa(want) {
			t.Errorf("%s %q, want %d", id, got, want)
		}
	}
	kinds := map[string]int{}
	byTestID(res.doc, "alert").Each(func(_ int, s *goquery.Selection) { kinds[s.AttrOr("data-kind", "")]++ })
	if kinds[db.AlertHubOffline] != offline || kinds[db.AlertLowBattery] == 0 {
		t.Errorf("alerts by kind %v; want %d hub_offline and some low_battery", kinds, offline)
	}
	one(t, res.doc, "home-warnings") // no webhook secret configured
	one(t, res.doc, "sync-status")
	if byTestID(res.doc, "sync-now").Length() != 0 {
		t.Error("an auditor is offered the sync button")
	}
}
