package handlers

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// upstreamView is the portfolio as the simulator holds it, read through the Smart Home client: the independent
// answer the pages are checked against.
type upstreamView struct {
	properties []smarthome.Property
	hubs       []upstreamHub
}

type upstreamHub struct {
	smarthome.HubSummary
	devices []smarthome.Device
}

// propertyFacts is what the list shows about one property.
type propertyFacts struct {
	hubs, hubsOffline, devices int
	lowBattery                 bool
}

func readUpstream(t *testing.T, api *smarthome.Client) upstreamView {
	t.Helper()
	ctx := t.Context()
	var v upstreamView
	props, _, err := api.Properties.List(ctx, &smarthome.ListOptions{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatalf("upstream properties: %v", err)
	}
	v.properties = props
	hubs, _, err := api.Hubs.List(ctx, &smarthome.ListOptions{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatalf("upstream hubs: %v", err)
	}
	for _, h := range hubs {
		set, _, err := api.Hubs.Devices(ctx, h.ID)
		if err != nil {
			t.Fatalf("upstream devices of hub %s: %v", h.ID, err)
		}
		uh := upstreamHub{HubSummary: h}
		for _, ds := range set {
			uh.devices = append(uh.devices, ds...)
		}
		v.hubs = append(v.hubs, uh)
	}
	return v
}

// facts derives each property's counts from the upstream data.
func (v upstreamView) facts() map[int64]propertyFacts {
	out := map[int64]propertyFacts{}
	for _, p := range v.properties {
		out[p.ID] = propertyFacts{}
	}
	for _, h := range v.hubs {
		if h.PropertyID == nil {
			continue
		}
		f := out[*h.PropertyID]
		f.hubs++
		if !h.Online() {
			f.hubsOffline++
		}
		for _, d := range h.devices {
			f.devices++
			if b, ok := deviceBattery(d); ok && b < db.LowBatteryPercent {
				f.lowBattery = true
			}
		}
		out[*h.PropertyID] = f
	}
	return out
}

// deviceBattery reads status.battery, when the device reports one.
func deviceBattery(d smarthome.Device) (int, bool) {
	var st struct {
		Battery *smarthome.FlexInt `json:"battery"`
	}
	if json.Unmarshal(d.Status, &st) != nil || st.Battery == nil {
		return 0, false
	}
	return st.Battery.Int(), true
}

// lockCodes returns the PINs the lock holds (status.codes), read fresh from the upstream.
func lockCodes(t *testing.T, api *smarthome.Client, deviceID string) []string {
	t.Helper()
	d, _, err := api.Devices.Get(t.Context(), deviceID)
	if err != nil {
		t.Fatalf("upstream device %s: %v", deviceID, err)
	}
	var st struct {
		Codes map[string]*string `json:"codes"`
	}
	if err := json.Unmarshal(d.Status, &st); err != nil {
		t.Fatalf("device %s status: %v", deviceID, err)
	}
	var out []string
	for _, c := range st.Codes {
		if c != nil && *c != "" {
			out = append(out, *c)
		}
	}
	return out
}

// idSet is a set of ids as the pages print them.
type idSet map[string]bool

func (s idSet) equal(o idSet) bool {
	if len(s) != len(o) {
		return false
	}
	for k := range s {
		if !o[k] {
			return false
		}
	}
	return true
}

func propertyIDs(v upstreamView, keep func(smarthome.Property) bool) idSet {
	out := idSet{}
	for _, p := range v.properties {
		if keep(p) {
			out[strconv.FormatInt(p.ID, 10)] = true
		}
	}
	return out
}
