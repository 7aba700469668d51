package simulator

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestHubActivityRules(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent, resident := e.installer(), e.resident()
	hubID := e.firstOf("lock").HubID
	var foreign string
	e.with(func(st *state) {
		h := st.Hubs[hubID]
		loc := e.sim.zones.get(h.TimeZone)
		at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, loc) }
		h.CompanyChangeDate = "2023-01-10"
		h.Activities = []hubActivity{
			{Event: "add_device", NodeID: "7", DeviceID: "d7", DeviceType: "switch", DeviceName: "Porch", At: at(2023, 1, 8)},
			{Event: "add_device", NodeID: "8", DeviceID: "d8", DeviceType: "lock", DeviceName: "Front", At: at(2023, 1, 11)},
			{Event: "remove_device", NodeID: "2", DeviceID: "d2", DeviceType: "switch", DeviceName: "Old", At: at(2023, 1, 12)},
			{Event: "add_device", NodeID: "9", DeviceID: "d9", DeviceType: "switch", DeviceName: "New", At: testStart.Add(-24 * time.Hour)},
		}
		for _, other := range st.Hubs {
			if other.Company == otherCompany {
				foreign = other.ID
			}
		}
	})
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "?" + v.Encode()
	}
	both := "add_device,remove_device"
	tests := []struct {
		name, hub, token, query string
		want                    int
		wantAdd, wantRemove     []string // node ids; nil = key absent
	}{
		{"events missing", hubID, agent, q("from_date", "01/07/2023", "to_date", "01/12/2023"), 422, nil, nil},
		{"events empty", hubID, agent, q("events", ""), 422, nil, nil},
		{"events only commas", hubID, agent, q("events", " , "), 422, nil, nil},
		{"unknown event", hubID, agent, q("events", "Lock"), 422, nil, nil},
		{"one unknown event among good ones", hubID, agent, q("events", "add_device,foo"), 422, nil, nil},
		{"only from_date", hubID, agent, q("events", both, "from_date", "01/07/2023"), 422, nil, nil},
		{"only to_date", hubID, agent, q("events", both, "to_date", "01/12/2023"), 422, nil, nil},
		{"ISO from_date", hubID, agent, q("events", both, "from_date", "2023-01-07", "to_date", "01/12/2023"), 422, nil, nil},
		{"unpadded from_date", hubID, agent, q("events", both, "from_date", "1/7/2023", "to_date", "01/12/2023"), 422, nil, nil},
		{"bad to_date", hubID, agent, q("events", both, "from_date", "01/07/2023", "to_date", "13/01/2023"), 422, nil, nil},
		{"from after to", hubID, agent, q("events", both, "from_date", "01/12/2023", "to_date", "01/11/2023"), 422, nil, nil},
		{"eight days", hubID, agent, q("events", both, "from_date", "01/10/2023", "to_date", "01/18/2023"), 422, nil, nil},
		{"exactly one week", hubID, agent, q("events", both, "from_date", "01/10/2023", "to_date", "01/17/2023"), 200, []string{"8"}, []string{"2"}},
		{"same day", hubID, agent, q("events", both, "from_date", "01/11/2023", "to_date", "01/11/2023"), 200, []string{"8"}, []string{}},
		{"clipped at company change", hubID, agent, q("events", both, "from_date", "01/07/2023", "to_date", "01/12/2023"), 200, []string{"8"}, []string{"2"}},
		{"ending on the change date", hubID, agent, q("events", "add_device", "from_date", "01/03/2023", "to_date", "01/10/2023"), 200, []string{}, nil},
		{"both dates before company change", hubID, agent, q("events", both, "from_date", "01/02/2023", "to_date", "01/09/2023"), 403, nil, nil},
		{"only the requested key", hubID, agent, q("events", "remove_device", "from_date", "01/11/2023", "to_date", "01/12/2023"), 200, nil, []string{"2"}},
		{"default window is the last week", hubID, agent, q("events", "add_device"), 200, []string{"9"}, nil},
		{"spaces around events", hubID, agent, q("events", " add_device , remove_device "), 200, []string{"9"}, []string{}},
		{"resident", hubID, resident, q("events", both), 403, nil, nil},
		{"unknown hub", "00000000-0000-4000-8000-000000000000", agent, q("events", both), 403, nil, nil},
		{"other company's hub", foreign, agent, q("events", both), 403, nil, nil},
		{"no token", hubID, "", q("events", both), 401, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("GET", "/api/hubs/"+tt.hub+"/desired_activities"+tt.query, tt.token, nil)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			m := decode(t, body)
			if status != 200 {
				if m["success"] != false || m["message"] == "" {
					t.Errorf("error body %s", body)
				}
				return
			}
			for key, want := range map[string][]string{"add_device": tt.wantAdd, "remove_device": tt.wantRemove} {
				items, present := m[key].([]any)
				if want == nil {
					if _, has := m[key]; has {
						t.Errorf("%s present but not requested", key)
					}
					continue
				}
				if !present {
					t.Fatalf("%s missing: %s", key, body)
				}
				var nodes []string
				for _, it := range items {
					a := it.(map[string]any)
					if _, err := time.Parse(time.RFC3339, a["activity_time"].(string)); err != nil || a["device_id"] == "" {
						t.Errorf("activity %v", a)
					}
					nodes = append(nodes, a["node_id"].(string))
				}
				if !slices.Equal(nodes, want) && !(len(nodes) == 0 && len(want) == 0) {
					t.Errorf("%s nodes %v, want %v", key, nodes, want)
				}
			}
		})
	}
}

func TestDeviceActivities(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock").ID
	e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"unlock"}}`, 200, nil)
	e.advance(DefaultCommandDelay)
	var got map[string][]deviceActivityJSON
	e.call("GET", "/api/devices/"+lock+"/desired_activities?events=unlock,Lock", agent, nil, 200, &got)
	if len(got["Unlock"]) != 1 || got["Unlock"][0].User != "App" || got["Lock"] == nil {
		t.Fatalf("activities %+v", got)
	}
	e.call("GET", "/api/devices/"+lock+"/desired_activities?events=leak_detected", agent, nil, 422, nil)
	e.call("GET", "/api/devices/"+lock+"/desired_activities?events=Lock&from_date=03/01/2026", agent, nil, 422, nil)
	e.call("GET", "/api/devices/"+lock+"/desired_activities?events=Lock", e.resident(), nil, 403, nil)
}
