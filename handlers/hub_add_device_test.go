package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestHubAddDeviceType: "Add a device" offers the 15 types; the chosen one is paired by the hub and, after the sync,
// is in the mirror with that type. An unknown or missing type is refused in the form, and nothing is sent.
func TestHubAddDeviceType(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	_, hub := env.findDevice(t, "lock", nil)
	c := env.signedInClient(t, db.RoleInstaller)
	page := env.get(t, c, "/hubs/"+hub.ID)
	wantStatus(t, page, http.StatusOK)
	opts := one(t, page.doc, "command-device-type").Find("option[value]")
	if opts.Length() != 16 || opts.First().AttrOr("value", "x") != "" {
		t.Fatalf("%d options, want a blank prompt and the 15 types", opts.Length())
	}

	t.Run("a chosen type is paired and mirrored", func(t *testing.T) {
		before := countType(t, env, hub.ID, "garage_door")
		res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", url.Values{"action": {"add_device"}, "device_type": {"garage_door"}}, htmx)
		wantStatus(t, res, http.StatusOK)
		rec := env.lastCommand(t, hub.ID, "")
		done := env.waitCommand(t, rec.ID, "settled", func(c db.Command) bool { return c.Status != db.CommandPending })
		if done.Status != db.CommandSucceeded || !strings.Contains(done.Result, "(garage_door)") {
			t.Fatalf("record %+v", done)
		}
		if !strings.Contains(text(one(t, res.doc, "command-notice")), "garage door") {
			t.Errorf("notice %q does not name the type", text(one(t, res.doc, "command-notice")))
		}
		if _, err := env.syncer.SyncNow(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := countType(t, env, hub.ID, "garage_door"); got != before+1 {
			t.Errorf("%d garage doors on the hub after the sync, want %d", got, before+1)
		}
	})
	refused := []struct {
		name, value string
	}{
		{"unknown type", "toaster"},
		{"no type", ""},
		{"the hub itself", "hub"},
		{"markup", `<script>alert(1)</script>`},
		{"oversized", strings.Repeat("lock", 500)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			records, _ := env.store.HubCommands(t.Context(), hub.ID, 100)
			sent := env.upstream.n.Load()
			res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", url.Values{"action": {"add_device"}, "device_type": {tt.value}}, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			e := one(t, res.doc, "command-error")
			if e.AttrOr("data-field", "") != "device_type" || !strings.Contains(text(e), "Choose the type") {
				t.Errorf("error %q on %q", text(e), e.AttrOr("data-field", ""))
			}
			if strings.Contains(res.body, "<script>alert") {
				t.Error("the value is echoed unescaped")
			}
			after, _ := env.store.HubCommands(t.Context(), hub.ID, 100)
			if len(after) != len(records) || env.upstream.n.Load() != sent {
				t.Errorf("records %d → %d, upstream calls %d → %d: want nothing written or sent", len(records), len(after), sent, env.upstream.n.Load())
			}
		})
	}
}

func countType(t *testing.T, env *cmdEnv, hubID, typ string) int {
	t.Helper()
	devs, err := env.store.DevicesByHub(t.Context(), hubID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range devs {
		if d.Type == typ {
			n++
		}
	}
	return n
}
