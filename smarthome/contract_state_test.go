package smarthome_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
)

// site is one property of the portfolio as the client sees it: the property, its hub and its devices.
type site struct {
	prop smarthome.Property
	hub  *smarthome.HubDetail
	devs smarthome.DeviceSet
	loc  *time.Location // the hub's zone
}

// site reads property id (101 is the first) and its hub and devices through the client.
func (e *contractEnv) site(c *apiClient, id int64) site {
	e.t.Helper()
	ctx := e.t.Context()
	p, _, err := c.Properties.Get(ctx, id)
	must(e.t, err)
	if len(p.HubIDs) != 1 {
		e.t.Fatalf("property %d has hubs %v, want one", id, p.HubIDs)
	}
	h, _, err := c.Hubs.Get(ctx, p.HubIDs[0])
	must(e.t, err)
	devs, _, err := c.Hubs.Devices(ctx, h.ID)
	must(e.t, err)
	loc, err := time.LoadLocation(h.TimeZone)
	must(e.t, err)
	return site{prop: *p, hub: h, devs: devs, loc: loc}
}

// first returns the site's first device of type typ.
func (s site) first(t *testing.T, typ string) smarthome.Device {
	t.Helper()
	if len(s.devs[typ]) == 0 {
		t.Fatalf("property %d has no %s (types: %v)", s.prop.ID, typ, keys(s.devs))
	}
	return s.devs[typ][0]
}

// localNow is the simulator's clock in the site's zone.
func (s site) localNow(e *contractEnv) time.Time { return e.sim.Now().In(s.loc) }

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// simState is the part of the simulator's state (GET /_sim/state) the tests look up directly: what the API does not
// list, such as lockbox serials and the hub of the other company.
type simState struct {
	Hubs map[string]struct {
		ID      string `json:"id"`
		Serial  int64  `json:"serial"`
		Company string `json:"company"`
	} `json:"hubs"`
	Devices map[string]struct {
		ID    string `json:"id"`
		HubID string `json:"hub_id"`
		Type  string `json:"type"`
	} `json:"devices"`
	Lockboxes map[string]struct {
		Serial   string `json:"serial"`
		Kind     string `json:"kind"`
		TimeZone string `json:"time_zone"`
	} `json:"lockboxes"`
}

func (e *contractEnv) state() simState {
	e.t.Helper()
	b, err := e.sim.State()
	must(e.t, err)
	var st simState
	must(e.t, json.Unmarshal(b, &st))
	return st
}

// lockbox returns the serial and zone of the portfolio's lockbox product of kind (lockbox, blue, smart_bolt): the
// mls_unlock routes reach lockboxes by serial only, and no route lists them.
func (e *contractEnv) lockbox(kind string) (string, *time.Location) {
	e.t.Helper()
	for _, lb := range e.state().Lockboxes {
		if lb.Kind == kind {
			loc, err := time.LoadLocation(lb.TimeZone)
			must(e.t, err)
			return lb.Serial, loc
		}
	}
	e.t.Fatalf("no %s in the portfolio: choose another seed", kind)
	return "", nil
}

// foreign returns the hub of the other company (serial 95001) and one of its devices.
func (e *contractEnv) foreign() (hubID, deviceID string) {
	e.t.Helper()
	st := e.state()
	for _, h := range st.Hubs {
		if h.Serial == 95001 {
			hubID = h.ID
		}
	}
	for _, d := range st.Devices {
		if d.HubID == hubID {
			deviceID = d.ID
		}
	}
	if hubID == "" || deviceID == "" {
		e.t.Fatal("the portfolio has no hub of another company")
	}
	return hubID, deviceID
}

// editState applies fn to the simulator's whole state and swaps it back in (PUT /_sim/state): how a test gives a
// hub a company change or the portfolio the device types the demo lacks.
func (e *contractEnv) editState(fn func(st map[string]any)) {
	e.t.Helper()
	b, err := e.sim.State()
	must(e.t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep ids and counters exact
	var st map[string]any
	must(e.t, dec.Decode(&st))
	fn(st)
	b, err = json.Marshal(st)
	must(e.t, err)
	must(e.t, e.sim.ReplaceState(b))
}

// editHub applies fn to one hub's state object.
func (e *contractEnv) editHub(hubID string, fn func(h map[string]any)) {
	e.t.Helper()
	e.editState(func(st map[string]any) {
		h, ok := st["hubs"].(map[string]any)[hubID].(map[string]any)
		if !ok {
			e.t.Fatalf("no hub %s in the state", hubID)
		}
		fn(h)
	})
}

// extraTypes are the device types the demo portfolio never generates (all inferred, reference §14.2).
var extraTypes = []string{"garage_door", "lightbulb", "repeater", "valve_controller", "smoke_alarm", "siren", "access_panel"}

// addDevices installs one device of each type on the site's hub, with the defaults the simulator gives that type
// when a hub includes it, and returns the site re-read.
func (e *contractEnv) addDevices(c *apiClient, s site, types ...string) site {
	e.t.Helper()
	e.editState(func(st map[string]any) {
		devs := st["devices"].(map[string]any)
		for _, typ := range types {
			e.node++
			id := fmt.Sprintf("c0de0000-0000-4000-8000-%012d", e.node)
			devs[id] = newDeviceState(id, s, typ, e.node)
		}
	})
	return e.site(c, s.prop.ID)
}

// newDeviceState is a device in the simulator's state shape (its internal model, see simulator/entities.go).
func newDeviceState(id string, s site, typ string, node int) map[string]any {
	name := strings.ReplaceAll(typ, "_", " ")
	d := map[string]any{
		"id": id, "hub_id": s.hub.ID, "property_id": s.prop.ID, "type": typ, "name": "Test " + name,
		"occupant_setting": "Test " + name, "node_id": node, "manufacturer": "Contract", "product_name": name,
		"model_number": "CT-1", "power_source": "main", "battery": 100, "zwave_signal": 80, "source": "physical",
		"log_min_date": contractStart.Format(time.RFC3339), "created_at": contractStart.Format(time.RFC3339),
	}
	switch typ {
	case "garage_door":
		d["mode"] = "closed"
	case "valve_controller":
		d["mode"] = "open"
	case "siren", "lightbulb":
		d["mode"] = "off"
	case "smoke_alarm":
		d["power_source"], d["battery"] = "battery", 80
	case "access_panel":
		d["mode"], d["max_slots"], d["codes"], d["setting_errors"] = "locked", 30, map[string]any{}, map[string]any{}
	}
	return d
}
