package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// addPINs programs a PIN into every lock of the first properties before the setup sync, as a person at the
// keypad would.
func addPINs(t *testing.T, sim *simulator.Simulator, api *smarthome.Client) {
	t.Helper()
	n := 0
	for _, h := range readUpstream(t, api).hubs {
		for _, d := range h.devices {
			if d.DeviceType != "lock" {
				continue
			}
			for range 2 {
				n++
				if _, err := sim.AddLockCodeAtKeypad(d.ID, fmt.Sprintf("%08d", 73910000+n*7919), 0); err != nil {
					t.Fatalf("add PIN to %s: %v", d.ID, err)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no locks to program")
	}
}

// TestNoPINsInPages: the PINs the locks hold (read from the upstream) appear in no page, no mirror row and no log.
func TestNoPINsInPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(addPINs))
	up := readUpstream(t, env.api)
	c := env.signedInClient(t, db.RoleAdmin)
	var all []string
	pages := map[string]string{}
	fetch := func(path string) string {
		if b, ok := pages[path]; ok {
			return b
		}
		res := env.get(t, c, path)
		wantStatus(t, res, http.StatusOK)
		pages[path] = res.body
		return res.body
	}
	for _, h := range up.hubs {
		for _, d := range h.devices {
			if d.DeviceType != "lock" {
				continue
			}
			pins := lockCodes(t, env.api, d.ID)
			if len(pins) == 0 {
				t.Fatalf("lock %s holds no PIN: the test would prove nothing", d.ID)
			}
			all = append(all, pins...)
			devPage := fetch("/devices/" + d.ID)
			if got := text(one(t, parseHTML(t, devPage), "lock-codes")); !strings.HasPrefix(got, strconv.Itoa(len(pins))+" ") {
				t.Errorf("lock %s: lock-codes %q, want %d in use", d.ID, got, len(pins))
			}
			related := []string{"/devices/" + d.ID, "/hubs/" + h.ID}
			if h.PropertyID != nil {
				related = append(related, "/properties/"+strconv.FormatInt(*h.PropertyID, 10))
			}
			for _, path := range related {
				for _, pin := range pins {
					if strings.Contains(fetch(path), pin) {
						t.Errorf("%s shows a PIN of lock %s", path, d.ID)
					}
				}
			}
			mirrored, err := env.store.Device(t.Context(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, pin := range pins {
				if strings.Contains(mirrored.State+mirrored.Settings, pin) {
					t.Errorf("the mirror row of lock %s holds a PIN", d.ID)
				}
			}
		}
		detail, _, err := env.api.Hubs.Get(t.Context(), h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if mc := detail.MasterCode.Reveal(); mc != "" && strings.Contains(fetch("/hubs/"+h.ID), mc) {
			t.Errorf("hub %s page shows its master code", h.ID)
		}
	}
	for _, path := range []string{"/", "/properties", "/hubs", "/hubs?page=2"} {
		for _, pin := range all {
			if strings.Contains(fetch(path), pin) {
				t.Errorf("%s shows a PIN", path)
			}
		}
	}
	logs := env.logs.String()
	for _, pin := range all {
		if strings.Contains(logs, pin) {
			t.Error("the log holds a PIN")
			break
		}
	}
}
