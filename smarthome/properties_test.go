package smarthome

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestPropertiesEndpoints(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	prop := `{"id": 101, "name": "Maple Court 12", "address": "12 Maple Court, Austin, TX, 78701", "street_address": "12 Maple Court",
		"city": "Austin", "state": "TX", "zipcode": "78701", "time_zone": "America/Chicago", "latitude": "30.2672",
		"longitude": -97.7431, "hub_ids": ["h1"], "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z"}`
	want := &Property{ID: 101, Name: "Maple Court 12", Address: "12 Maple Court, Austin, TX, 78701", StreetAddress: "12 Maple Court",
		City: "Austin", State: "TX", Zipcode: "78701", TimeZone: "America/Chicago", Latitude: "30.2672", Longitude: "-97.7431",
		HubIDs: []string{"h1"}, CreatedAt: created, UpdatedAt: created}
	full := PropertyRequest{Name: Ptr("Maple Court 12"), StreetAddress: Ptr("12 Maple Court"), City: Ptr("Austin"),
		State: Ptr("TX"), Zipcode: Ptr("78701"), TimeZone: Ptr("America/Chicago")}
	runEndpoints(t, []endpointCase{
		{
			name: "List", method: "GET", path: "/api/properties",
			query: url.Values{"search_key": {"maple"}, "per_page": {"100"}},
			reply: `{"properties": [` + prop + `], "total_records": 1, "page": 1, "per_page": 100}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Properties.List(ctx, &ListOptions{SearchKey: "maple", PerPage: 100})
			},
			want:   []Property{*want},
			paging: [3]int{1, 1, 100},
		},
		{
			name: "Get", method: "GET", path: "/api/properties/101", reply: prop,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Properties.Get(ctx, 101) },
			want: want,
		},
		{
			name: "Create", method: "POST", path: "/api/properties", status: http.StatusCreated, reply: prop,
			body: `{"name": "Maple Court 12", "street_address": "12 Maple Court", "city": "Austin", "state": "TX", "zipcode": "78701", "time_zone": "America/Chicago"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Properties.Create(ctx, full) },
			want: want,
		},
		{
			name: "Update partial", method: "PUT", path: "/api/properties/101", reply: prop,
			body: `{"name": "Maple Court 12"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Properties.Update(ctx, 101, PropertyRequest{Name: Ptr("Maple Court 12")})
			},
			want: want,
		},
		{
			name: "Delete", method: "DELETE", path: "/api/properties/101", reply: `{"success": true, "message": "Property deleted"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Properties.Delete(ctx, 101))
			},
		},
		{
			name: "Devices", method: "GET", path: "/api/properties/101/devices",
			reply: `{"lock": [{"id": "d1", "device_name": "Front", "occupant_setting": "Front Door", "device_type": "lock", "iot_thing_name": "d1", "topic_name": "t"}]}`,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.Properties.Devices(ctx, 101) },
			want:  DeviceSet{"lock": {{ID: "d1", DeviceName: "Front", OccupantSetting: "Front Door", DeviceType: "lock", IoTThingName: "d1", TopicName: "t"}}},
		},
		{
			name: "AssetsDeviceDetails", method: "GET", path: "/api/properties/101/assetsDeviceDetails",
			reply: `{"devices": {"locks": [{"id": "d1", "device_type": "lock"}], "thermostats": []}}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Properties.AssetsDeviceDetails(ctx, 101)
			},
			want: DeviceSet{"locks": {{ID: "d1", DeviceType: "lock"}}, "thermostats": {}},
		},
	})
}

func TestPropertiesValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("an invalid request was sent: %s %s", r.Method, r.URL)
	})
	if _, _, err := f.client.Properties.Create(t.Context(), PropertyRequest{Name: Ptr("x")}); !errorsIsValidation(err) {
		t.Errorf("Create without address: %v", err)
	}
	if _, _, err := f.client.Properties.List(t.Context(), &ListOptions{Page: -1}); !errorsIsValidation(err) {
		t.Errorf("List page -1: %v", err)
	}
}
