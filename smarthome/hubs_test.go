package smarthome

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHubsEndpoints(t *testing.T) {
	t.Parallel()
	runEndpoints(t, []endpointCase{
		{
			name: "List", method: "GET", path: "/api/hubs",
			query: url.Values{"search_key": {"Barry"}, "page": {"2"}, "per_page": {"10"}},
			reply: `{"total_records": 11, "page": 2, "per_page": 10, "hubs": [{"id": "h1", "serial_no": 30011, "status": "Online", "property_id": 101}]}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.List(ctx, &ListOptions{SearchKey: "Barry", Page: 2, PerPage: 10})
			},
			want:   []HubSummary{{ID: "h1", SerialNo: "30011", Status: "Online", PropertyID: Ptr(int64(101))}},
			paging: [3]int{11, 2, 10},
		},
		{
			name: "List nil options", method: "GET", path: "/api/hubs", reply: `{"hubs": []}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Hubs.List(ctx, nil) },
			want: []HubSummary{},
		},
		{
			name: "Get escapes the id", method: "GET", path: "/api/hubs/a%2Fb%3F", reply: `{"id": "a/b?", "status": {"battery": 50}}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				h, resp, err := c.Hubs.Get(ctx, "a/b?")
				if h != nil {
					return []any{h.ID, h.Status.Battery, string(h.Status.Raw)}, resp, err
				}
				return nil, resp, err
			},
			want: []any{"a/b?", FlexInt(50), `{"battery": 50}`},
		},
		{
			name: "Update", method: "PUT", path: "/api/hubs/h1",
			body:  `{"home_name": "Unit 4", "settings": {"time_zone": "America/Denver"}}`,
			reply: `{"id": "h1", "home_name": "Unit 4", "settings": {"time_zone": "America/Denver"}}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.Update(ctx, "h1", HubUpdate{HomeName: Ptr("Unit 4"), Settings: &HubSettingsUpdate{TimeZone: Ptr("America/Denver")}})
			},
			want: &HubDetail{ID: "h1", HomeName: "Unit 4", Settings: HubSettings{TimeZone: "America/Denver"}},
		},
		{
			name: "Devices", method: "GET", path: "/api/hubs/h1/devices",
			reply: `{"lock": [{"id": "d1", "device_type": "lock"}], "switch": []}`,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.Hubs.Devices(ctx, "h1") },
			want:  DeviceSet{"lock": {{ID: "d1", DeviceType: "lock"}}, "switch": {}},
		},
		{
			name: "ResetMasterCode", method: "PUT", path: "/api/hubs/h1/reset_master_code",
			reply: `{"success": true, "master_code": "654321"}`,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.Hubs.ResetMasterCode(ctx, "h1") },
			want:  PIN("654321"),
		},
		{
			name: "Command remove_device", method: "POST", path: "/api/hubs/h1/commands",
			body:  `{"command": "remove_device", "node_id": "7"}`,
			reply: `{"success": true, "message": "Command sent", "command_id": "cmd-1"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.Command(ctx, "h1", HubCommand{Command: HubRemoveDevice, NodeID: "7"})
			},
			want: &HubCommandResult{Message: "Command sent", CommandID: "cmd-1"},
		},
		{
			name: "Command reboot", method: "POST", path: "/api/hubs/h1/commands", body: `{"command": "reboot"}`,
			reply: `{"success": true, "message": "Command sent", "command_id": "cmd-2"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.Command(ctx, "h1", HubCommand{Command: HubReboot})
			},
			want: &HubCommandResult{Message: "Command sent", CommandID: "cmd-2"},
		},
		{
			name: "MQTTResponse", method: "GET", path: "/api/hubs/h1/mqtt_response",
			reply: `{"success": true, "hub_id": "h1", "command_id": "cmd-1", "command": "refresh", "received_at": "2026-11-29T15:04:05Z", "response": {"status": "ok", "message": "refreshed"}}`,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.Hubs.MQTTResponse(ctx, "h1") },
			want: func() *MQTTResponse {
				m := &MQTTResponse{HubID: "h1", CommandID: "cmd-1", Command: "refresh", ReceivedAt: time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)}
				m.Response.Status, m.Response.Message = "ok", "refreshed"
				return m
			}(),
		},
		{
			name: "CognitoCredentials", method: "GET", path: "/api/hubs/h1/get_cognito_credentials",
			reply: `{"identity_id": "us-east-1:abc", "token": "opaque"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.CognitoCredentials(ctx, "h1")
			},
			want: &CognitoCredentials{IdentityID: "us-east-1:abc", Token: "opaque"},
		},
		{
			name: "DesiredActivities", method: "GET", path: "/api/hubs/h1/desired_activities",
			query: url.Values{"events": {"add_device,remove_device"}, "from_date": {"01/07/2023"}, "to_date": {"01/12/2023"}},
			reply: `{"add_device": [{"node_id": "8", "device_id": "d8", "device_type": "lock", "device_name": "lock-8", "activity_time": "2023-01-10T10:00:00Z"}], "remove_device": []}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.DesiredActivities(ctx, "h1", ActivityQuery{
					From: time.Date(2023, 1, 7, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 1, 12, 0, 0, 0, 0, time.UTC),
					Events: []string{EventAddDevice, EventRemoveDevice},
				})
			},
			want: map[string][]HubActivity{
				"add_device":    {{NodeID: "8", DeviceID: "d8", DeviceType: "lock", DeviceName: "lock-8", ActivityTime: time.Date(2023, 1, 10, 10, 0, 0, 0, time.UTC)}},
				"remove_device": {},
			},
		},
		{
			name: "DesiredActivities default dates", method: "GET", path: "/api/hubs/h1/desired_activities",
			query: url.Values{"events": {"add_device"}}, reply: `{"add_device": []}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Hubs.DesiredActivities(ctx, "h1", ActivityQuery{Events: []string{EventAddDevice}})
			},
			want: map[string][]HubActivity{"add_device": {}},
		},
	})
}

func TestHubsListFixture(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/hubs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, readTestdata(t, "hubs.json"))
	})
	hubs, resp, err := f.client.Hubs.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalRecords != 2 || resp.Page != 1 || resp.PerPage != 25 || len(hubs) != 2 {
		t.Fatalf("paging %d/%d/%d, %d hubs", resp.TotalRecords, resp.Page, resp.PerPage, len(hubs))
	}
	h := hubs[0]
	if h.SerialNo != "30011" || !h.Online() || h.MasterCode.Reveal() != "123456" || h.LockCodeCount != 3 ||
		h.Latitude != "41.9368" || *h.PropertyID != 101 || h.ActiveFrom != "1/1/2000 12:00 am" || !h.IsActive || h.UserType != "admin" {
		t.Errorf("hub 0 = %s", dump(h))
	}
	if hubs[1].SerialNo != "76657" || hubs[1].Online() || hubs[1].PropertyID != nil {
		t.Errorf("hub 1 = %s", dump(hubs[1]))
	}
	from, err := ParseHubActiveTime(h.ActiveTo, time.UTC)
	if err != nil || !from.Equal(time.Date(2099, 12, 31, 23, 59, 0, 0, time.UTC)) {
		t.Errorf("active_to = %v, %v", from, err)
	}
}

func TestHubsGetFixture(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, readTestdata(t, "hub.json"))
	})
	h, _, err := f.client.Hubs.Get(t.Context(), "78bf6b20-9f5f-4564-8cd0-bd0f07ab0ca9")
	if err != nil {
		t.Fatal(err)
	}
	if h.SerialNo != "30011" || h.Settings.Monitoring != "disarm" || h.AssignedDate != "2012-07-23" ||
		!h.ShowMonitoringFeature || *h.PropertyID != 101 || h.CompanyChangeDate != nil {
		t.Errorf("hub = %s", dump(h))
	}
	s := h.Status
	want := HubStatus{
		CSQ: "12,39", IMEI: "861107030000000", IMSI: "310410000000000", Mode: "central", FwVer: "3.2.1", Model: "RH-300",
		Battery: 87, NodeList: []int{1, 7, 8}, HeartBeat: "2021-01-01T08:20:49.224Z", LockFWVer: []string{"1.4"},
		HWSerialNo: "HW30011", AddDevice: map[string][]string{"7": {"dimmable_switch", "Dimmer"}, "8": {"lock", "Deadbolt"}},
		RemoveDevice: map[string]string{"2": "delete"}, BoardType: "V3", NetworkType: "cellular",
		SignalQuery:     &SignalQuery{CSQ: "12,39", CurrConnType: "cellular"},
		LastRefreshDate: "2021-01-01T08:00:00.000Z", ReadyForBleCmds: true, SignalStrength: "-71",
		PowerNotification: json.RawMessage(`["0xc1", 87]`), Online: Ptr(true), PowerSource: "external",
	}
	got := s
	got.Raw = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("status = %s\nwant     %s", dump(got), dump(want))
	}
	if !strings.Contains(string(s.Raw), `"scanDeviceReport": {"future": "key"}`) {
		t.Errorf("Raw lost an unknown key: %s", s.Raw)
	}
	hb, err := s.HeartBeatTime()
	if err != nil || !hb.Equal(time.Date(2021, 1, 1, 8, 20, 49, 224e6, time.UTC)) {
		t.Errorf("HeartBeatTime = %v, %v", hb, err)
	}
	out, _ := json.Marshal(s)
	var compact bytes.Buffer
	json.Compact(&compact, s.Raw)
	if string(out) != compact.String() {
		t.Errorf("MarshalJSON did not write Raw back")
	}
}

func TestHubStatusIsLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		battery FlexInt
		mode    string
	}{
		{"odd types left zero", `{"battery": "n/a", "mode": 7, "nodeList": "x"}`, 0, ""},
		{"string status kept raw", `"Online"`, 0, ""},
		{"null", `null`, 0, ""},
		{"numeric string", `{"battery": "42", "mode": "central"}`, 42, "central"},
	}
	for _, tt := range tests {
		var s HubStatus
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if s.Battery != tt.battery || s.Mode != tt.mode {
			t.Errorf("%s: battery %d mode %q", tt.name, s.Battery, tt.mode)
		}
	}
}

func TestHubCommandValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmd HubCommand
		ok  bool
	}{
		{HubCommand{Command: HubRefresh}, true},
		{HubCommand{Command: HubReboot}, true},
		{HubCommand{Command: HubAddDevice}, true},
		{HubCommand{Command: HubUpdateFirmware}, true},
		{HubCommand{Command: HubRemoveDevice, NodeID: "12"}, true},
		{HubCommand{Command: HubRemoveDevice}, false},
		{HubCommand{Command: HubRemoveDevice, NodeID: "x1"}, false},
		{HubCommand{Command: HubReboot, NodeID: "1"}, false},
		{HubCommand{Command: "self_destruct"}, false},
		{HubCommand{}, false},
	}
	f := setup(t)
	for _, tt := range tests {
		err := tt.cmd.Validate()
		if (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.cmd, err, tt.ok)
		}
		if !tt.ok {
			if _, _, err := f.client.Hubs.Command(t.Context(), "h1", tt.cmd); !errorsIsValidation(err) {
				t.Errorf("Command(%+v) sent an invalid command: %v", tt.cmd, err)
			}
		}
	}
}
