package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

func TestPropertyPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	up := readUpstream(t, env.api)
	c := env.signedInClient(t, db.RoleInstaller)
	for _, p := range up.properties[:4] {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/properties/"+strconv.FormatInt(p.ID, 10))
			wantStatus(t, res, http.StatusOK)
			one(t, res.doc, "property-details")
			if got := text(one(t, res.doc, "page-title")); got != p.Name {
				t.Errorf("page-title %q, want %q", got, p.Name)
			}
			if got := text(one(t, res.doc, "property-timezone")); got != p.TimeZone {
				t.Errorf("time zone %q, want %q", got, p.TimeZone)
			}
			var hubs, devices int
			for _, h := range up.hubs {
				if h.PropertyID != nil && *h.PropertyID == p.ID {
					hubs++
					devices += len(h.devices)
					if res.doc.Find(`[data-testid="hub-row"][data-hub-id="`+h.ID+`"]`).Length() != 1 {
						t.Errorf("hub %s is not listed", h.ID)
					}
				}
			}
			if got := byTestID(res.doc, "hub-row").Length(); got != hubs {
				t.Errorf("%d hub rows, want %d", got, hubs)
			}
			if got := byTestID(res.doc, "device-row").Length(); got != devices {
				t.Errorf("%d device rows, want %d", got, devices)
			}
			if g := byTestID(res.doc, "device-group").First().AttrOr("data-type", ""); g != "lock" {
				t.Errorf("first device group %q, want lock", g)
			}
		})
	}
}

func TestHubPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(forceAlerts))
	up := readUpstream(t, env.api)
	c := env.signedInClient(t, db.RoleStaff)
	t.Run("list", func(t *testing.T) {
		t.Parallel()
		res := env.get(t, c, "/hubs")
		wantStatus(t, res, http.StatusOK)
		if got, want := text(one(t, res.doc, "result-count")), fmt.Sprintf("%d hubs", len(up.hubs)); got != want {
			t.Errorf("result-count %q, want %q", got, want)
		}
		offline := env.get(t, c, "/hubs?offline=1")
		want := idSet{}
		for _, h := range up.hubs {
			if !h.Online() {
				want[h.ID] = true
			}
		}
		got := idSet{}
		byTestID(offline.doc, "hub-row").Each(func(_ int, s *goquery.Selection) { got[s.AttrOr("data-hub-id", "")] = true })
		if len(want) == 0 || !got.equal(want) {
			t.Errorf("offline hubs %v, want %v", got, want)
		}
	})
	for _, h := range up.hubs[:5] {
		t.Run("serial "+h.SerialNo.String(), func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/hubs?q="+h.SerialNo.String())
			wantStatus(t, res, http.StatusOK)
			row := one(t, res.doc, "hub-row")
			if got := row.AttrOr("data-hub-id", ""); got != h.ID {
				t.Errorf("found hub %q, want %q", got, h.ID)
			}
			if got := text(row.Find(`[data-testid="hub-serial"]`)); got != h.SerialNo.String() {
				t.Errorf("hub-serial %q", got)
			}

			page := env.get(t, c, "/hubs/"+h.ID)
			wantStatus(t, page, http.StatusOK)
			for _, id := range []string{"hub-status", "hub-hardware", "hub-heartbeat", "hub-firmware", "hub-timezone"} {
				one(t, page.doc, id)
			}
			if got := text(page.doc.Find(`[data-testid="hub-hardware"] [data-testid="hub-serial"]`)); got != h.SerialNo.String() {
				t.Errorf("detail serial %q", got)
			}
			online := page.doc.Find(`[data-testid="hub-status"] [data-testid="online-badge"]`).AttrOr("data-online", "")
			if online != strconv.FormatBool(h.Online()) {
				t.Errorf("online %q, upstream %v", online, h.Online())
			}
			if got := byTestID(page.doc, "device-row").Length(); got != len(h.devices) {
				t.Errorf("%d device rows, upstream has %d", got, len(h.devices))
			}
		})
	}
}

func TestDevicePage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	up := readUpstream(t, env.api)
	c := env.signedInClient(t, db.RoleAuditor)
	seen := map[string]bool{}
	for _, h := range up.hubs {
		for _, d := range h.devices {
			if seen[d.DeviceType] {
				continue
			}
			seen[d.DeviceType] = true
			t.Run(d.DeviceType, func(t *testing.T) {
				t.Parallel()
				res := env.get(t, c, "/devices/"+d.ID)
				wantStatus(t, res, http.StatusOK)
				one(t, res.doc, "device-details")
				state := one(t, res.doc, "device-state")
				if got := state.AttrOr("data-type", ""); got != d.DeviceType {
					t.Errorf("state data-type %q, want %q", got, d.DeviceType)
				}
				if got := one(t, res.doc, "device-hub").AttrOr("href", ""); got != "/hubs/"+h.ID {
					t.Errorf("device-hub href %q", got)
				}
				if d.DeviceType == "lock" {
					one(t, res.doc, "state-lock")
					one(t, res.doc, "lock-codes")
				}
			})
		}
	}
}

func TestUnknownIDs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleAdmin)
	for _, path := range []string{"/properties/0", "/properties/-4", "/properties/abc", "/properties/999999",
		"/properties/99999999999999999999", "/hubs/no-such-hub", "/hubs/%27%20OR%201=1", "/devices/no-such-device",
		"/no/such/page", "/properties/101/extra"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, path)
			wantStatus(t, res, http.StatusNotFound)
			if got := text(one(t, res.doc, "error-status")); got != "404" {
				t.Errorf("error-status %q", got)
			}
			one(t, res.doc, "error-message")
			if strings.Count(path, "/") == 2 { // a routed page whose item is missing: the layout knows who is signed in
				one(t, res.doc, "user-name")
			}

			res = env.get(t, c, path, htmx)
			wantStatus(t, res, http.StatusNotFound)
			if got := res.header.Get("HX-Retarget"); got != "#flash" {
				t.Errorf("htmx: HX-Retarget %q, want #flash", got)
			}
			if f := one(t, res.doc, "flash"); f.AttrOr("data-kind", "") != "error" {
				t.Errorf("htmx: flash kind %q", f.AttrOr("data-kind", ""))
			}
			if byTestID(res.doc, "error-page").Length() != 0 {
				t.Error("htmx: a whole error page")
			}
		})
	}
}

// TestEventsScope: the live stream's scope must name something in the mirror; otherwise no stream opens.
func TestEventsScope(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ids := mirrorIDs(t, env)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct {
		query  string
		status int
	}{
		{"property=abc", http.StatusBadRequest},
		{"property=999999", http.StatusNotFound},
		{"hub=no-such-hub", http.StatusNotFound},
		{"device=no-such-device", http.StatusNotFound},
		{"property=" + ids.property + "&device=no-such-device", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/events?"+tt.query)
			wantStatus(t, res, tt.status)
			if ct := res.header.Get("Content-Type"); strings.HasPrefix(ct, "text/event-stream") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	for _, q := range []string{"property=" + ids.property, "hub=" + ids.hub, "device=" + ids.device} {
		if resp := env.stream(t, c, "/events?"+q); resp.StatusCode != http.StatusOK {
			t.Errorf("/events?%s: %d", q, resp.StatusCode)
		}
	}
}

// TestNotFoundPageKnowsUser: the catch-all 404 page keeps the signed-in person's header and navigation.
func TestNotFoundPageKnowsUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	res := env.get(t, env.signedInClient(t, db.RoleStaff), "/no/such/page")
	wantStatus(t, res, http.StatusNotFound)
	if got := text(one(t, res.doc, "user-name")); got != env.users[db.RoleStaff].Name {
		t.Errorf("user-name %q", got)
	}
	one(t, res.doc, "nav-properties")
}
