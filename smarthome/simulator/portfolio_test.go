package simulator

import (
	"fmt"
	"strings"
	"testing"
)

func TestPropertyRoutes(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent, resident := e.installer(), e.resident()

	var list struct {
		Properties []propertyJSON `json:"properties"`
		Total      int            `json:"total_records"`
		Page       int            `json:"page"`
		PerPage    int            `json:"per_page"`
	}
	e.call("GET", "/api/properties?per_page=5&page=2", agent, nil, 200, &list)
	if list.Total != 12 || list.Page != 2 || list.PerPage != 5 || len(list.Properties) != 5 || list.Properties[0].ID != 106 {
		t.Fatalf("page 2: total %d page %d per_page %d first %+v", list.Total, list.Page, list.PerPage, list.Properties)
	}
	first := list.Properties[0]
	if first.Address != fmt.Sprintf("%s, %s, %s, %s", first.StreetAddress, first.City, first.State, first.Zipcode) ||
		len(first.HubIDs) != 1 || first.TimeZone == "" {
		t.Errorf("property %+v", first)
	}
	e.call("GET", "/api/properties?search_key="+strings.ToLower(first.City[:4]), agent, nil, 200, &list)
	if list.Total == 0 || list.Total == 12 {
		t.Errorf("search by city matched %d of 12", list.Total)
	}
	e.call("GET", "/api/properties?per_page=500", agent, nil, 200, &list)
	if list.PerPage != 100 {
		t.Errorf("per_page capped at %d, want 100", list.PerPage)
	}
	e.call("GET", "/api/properties", resident, nil, 200, &list)
	if list.Total != 1 || list.Properties[0].ID != 101 {
		t.Errorf("resident sees %+v", list.Properties)
	}

	tests := []struct {
		name, path, token string
		want              int
	}{
		{"devices", "/api/properties/101/devices", agent, 200},
		{"resident own devices", "/api/properties/101/devices", resident, 200},
		{"resident other property", "/api/properties/102/devices", resident, 403},
		{"unknown property", "/api/properties/99999/devices", agent, 404},
		{"non-numeric id", "/api/properties/abc/devices", agent, 404},
		{"assets", "/api/properties/101/assetsDeviceDetails", agent, 200},
		{"resident other assets", "/api/properties/102/assetsDeviceDetails", resident, 403},
		{"bad page", "/api/properties?page=0", agent, 422},
		{"no token", "/api/properties", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := e.do("GET", tt.path, tt.token, nil); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}

	t.Run("devices keyed by type, assets by plural type", func(t *testing.T) {
		var byType map[string][]deviceJSON
		e.call("GET", "/api/properties/101/devices", agent, nil, 200, &byType)
		if len(byType["lock"]) == 0 || len(byType["thermostat"]) != 1 {
			t.Fatalf("devices %v", keys(byType))
		}
		var assets struct {
			Devices map[string][]deviceJSON `json:"devices"`
		}
		e.call("GET", "/api/properties/101/assetsDeviceDetails", agent, nil, 200, &assets)
		if len(assets.Devices["locks"]) != len(byType["lock"]) || len(assets.Devices["thermostats"]) != 1 {
			t.Errorf("assets keys %v", keys(assets.Devices))
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestHubRoutes(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent, resident := e.installer(), e.resident()

	var list map[string]any
	e.call("GET", "/api/hubs?per_page=100", agent, nil, 200, &list)
	hubs := list["hubs"].([]any)
	// 12 properties + 3 unassigned; the other company's hub is not listed.
	if list["total_records"].(float64) != 15 || len(hubs) != 15 {
		t.Fatalf("total %v, %d hubs", list["total_records"], len(hubs))
	}
	h := hubs[0].(map[string]any)
	for key, want := range map[string]string{"serial_no": "float64", "status": "string", "latitude": "string",
		"master_code": "string", "is_active": "bool", "allowed_hub_codes": "float64", "active_from": "string"} {
		if got := fmt.Sprintf("%T", h[key]); got != want {
			t.Errorf("hub list %s is %s, want %s", key, got, want)
		}
	}
	if h["status"] != "Online" && h["status"] != "Offline" {
		t.Errorf("list status %v", h["status"])
	}
	id := h["id"].(string)
	serial := fmt.Sprint(int64(h["serial_no"].(float64)))

	e.call("GET", "/api/hubs?search_key="+serial, agent, nil, 200, &list)
	if list["total_records"].(float64) != 1 {
		t.Errorf("search by serial matched %v", list["total_records"])
	}

	var detail map[string]any
	e.call("GET", "/api/hubs/"+id, agent, nil, 200, &detail)
	st, isObject := detail["status"].(map[string]any)
	if !isObject || st["heartBeat"] == nil || st["nodeList"] == nil || st["add_device"] == nil {
		t.Fatalf("detail status %v", detail["status"])
	}
	if detail["settings"].(map[string]any)["monitoring"] != "disarm" || detail["assigned_date"] == "" {
		t.Errorf("detail %v", detail)
	}

	var devs map[string][]map[string]any
	e.call("GET", "/api/hubs/"+id+"/devices", agent, nil, 200, &devs)
	if len(devs["lock"]) == 0 {
		t.Errorf("hub devices %v", keys(devs))
	}

	var foreign string
	e.with(func(st *state) {
		for _, h := range st.Hubs {
			if h.Company == otherCompany {
				foreign = h.ID
			}
		}
	})
	tests := []struct {
		name, path, token string
		want              int
	}{
		{"resident own hub", "/api/hubs/" + id, resident, 200},
		{"resident other hub", "/api/hubs/" + hubs[1].(map[string]any)["id"].(string), resident, 403},
		{"other company", "/api/hubs/" + foreign, agent, 403},
		{"unknown", "/api/hubs/00000000-0000-4000-8000-000000000000", agent, 404},
		{"cognito stub", "/api/hubs/" + id + "/get_cognito_credentials", agent, 200},
		{"other company devices", "/api/hubs/" + foreign + "/devices", agent, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := e.do("GET", tt.path, tt.token, nil); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
	e.call("GET", "/api/hubs", resident, nil, 200, &list)
	if list["total_records"].(float64) != 1 {
		t.Errorf("resident sees %v hubs", list["total_records"])
	}
}
