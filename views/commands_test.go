package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCommandsSection: the live wiring htmx and SSE depend on (stable ids, event names, forms swapping only the
// panel), and what each viewer is offered.
func TestCommandsSection(t *testing.T) {
	t.Parallel()
	list := CommandListData{Target: "device", ID: "Dev 1", Cards: []CommandCardData{
		{ID: "7", Label: "Lock", Status: "pending", By: "ann@example.com", Sent: "Nov 1, 2026 1:30 AM CDT", SentISO: "2026-11-01T06:30:00Z"},
		{ID: "6", Label: "Unlock", Status: "failed", Reason: "No confirmation <b>from</b> the device", Finished: "x", FinishedISO: "y"},
		{ID: "5", Label: "Lock", Status: "succeeded", Result: "Confirmed"},
	}}
	tests := []struct {
		name     string
		data     CommandsData
		controls string // the testid of the controls expected, "" for none
		reset    bool
	}{
		{"lock, operator", CommandsData{Target: "device", ID: "Dev 1", DeviceType: "lock", CanOperate: true, List: list},
			"lock-controls", false},
		{"lock, auditor", CommandsData{Target: "device", ID: "Dev 1", DeviceType: "lock", List: list}, "", false},
		{"thermostat", CommandsData{Target: "device", ID: "t", DeviceType: "thermostat", CanOperate: true,
			Thermostat: ThermostatControlsData{Mode: "heat", Heating: "68"}}, "thermostat-controls", false},
		{"dimmer", CommandsData{Target: "device", ID: "d", DeviceType: "dimmable_switch", CanOperate: true, Level: 40}, "dimmer-controls", false},
		{"hub, installer", CommandsData{Target: "hub", ID: "h", CanOperate: true, CanReset: true}, "hub-controls", true},
		{"hub, staff", CommandsData{Target: "hub", ID: "h", CanOperate: true}, "hub-controls", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, CommandsSection(tt.data))
			one(t, doc, "commands")
			for _, id := range []string{"lock-controls", "thermostat-controls", "dimmer-controls", "hub-controls"} {
				if got := byTestID(doc, id).Length(); got != map[bool]int{true: 1}[id == tt.controls] {
					t.Errorf("%s: %d", id, got)
				}
			}
			if got := byTestID(doc, "master-reset").Length() == 1; got != tt.reset {
				t.Errorf("master reset shown %v", got)
			}
			panel := one(t, doc, "command-panel")
			panel.Find("form").Each(func(_ int, f *goquery.Selection) {
				if target := f.AttrOr("hx-target", ""); target != "#"+tt.data.PanelID() {
					t.Errorf("form swaps %q, want the panel", target)
				}
			})
			l := one(t, doc, "command-list")
			if l.AttrOr("sse-swap", "") != CommandsEventName(tt.data.Target, tt.data.ID) || l.AttrOr("data-refresh-on-reconnect", "x") == "x" {
				t.Errorf("list wiring: sse-swap %q", l.AttrOr("sse-swap", ""))
			}
			if tt.data.Target == "hub" {
				m := one(t, doc, "mqtt")
				if m.AttrOr("sse-swap", "") != MQTTEventName("h") || m.AttrOr("hx-get", "") != "/hubs/h/mqtt" {
					t.Errorf("mqtt wiring %q %q", m.AttrOr("sse-swap", ""), m.AttrOr("hx-get", ""))
				}
			}
		})
	}
	t.Run("thermostat prefilled", func(t *testing.T) {
		doc := render(t, CommandsSection(tests[2].data))
		if v := one(t, doc, "command-heat").AttrOr("value", ""); v != "68" {
			t.Errorf("heat %q", v)
		}
		if v := doc.Find(`[data-testid="command-mode"] option[selected]`).AttrOr("value", ""); v != "heat" {
			t.Errorf("mode %q", v)
		}
	})
}

// TestCommandCards: status badges, reasons escaped, the empty list.
func TestCommandCards(t *testing.T) {
	t.Parallel()
	doc := render(t, CommandCards(CommandListData{Target: "hub", ID: "h", Cards: []CommandCardData{
		{ID: "2", Label: "Reboot", Status: "failed", Reason: "Hub <script>alert(1)</script> offline"},
		{ID: "1", Label: "Refresh", Status: "succeeded", Result: "The hub answered: Refresh complete"},
	}}))
	cards := byTestID(doc, "command")
	if cards.Length() != 2 || cards.First().AttrOr("data-status", "") != "failed" {
		t.Fatalf("%d cards", cards.Length())
	}
	if got := text(cards.First().Find(`[data-testid="command-status"]`)); got != "Failed" {
		t.Errorf("badge %q", got)
	}
	if got := text(one(t, doc, "command-reason")); !strings.Contains(got, "<script>") {
		t.Errorf("reason %q not shown as text", got)
	}
	if doc.Find("script").Length() != 0 {
		t.Error("a reason became markup")
	}
	empty := render(t, CommandCards(CommandListData{Target: "hub", ID: "h"}))
	one(t, empty, "commands-empty")
}

// TestMasterCodePanel: the code is shown only when set.
func TestMasterCodePanel(t *testing.T) {
	t.Parallel()
	with := render(t, CommandPanel(CommandsData{Target: "hub", ID: "h", CanReset: true, MasterCode: "482913"}))
	if got := text(one(t, with, "master-code")); got != "482913" {
		t.Errorf("code %q", got)
	}
	without := render(t, CommandPanel(CommandsData{Target: "hub", ID: "h", CanReset: true}))
	if byTestID(without, "master-code-panel").Length() != 0 {
		t.Error("an empty code panel is shown")
	}
}
