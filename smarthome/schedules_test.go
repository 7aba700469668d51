package smarthome

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

const scheduleJSON = `{"id": "s1", "name": "Winter weekdays", "device_type": "thermostat", "property_id": 101,
	"blocks": [{"days": [1,2,3,4,5], "from": "07:00", "to": "22:00", "mode": "heat", "heating_setpoint": 68,
	            "cooling_setpoint": null, "power": null}],
	"device_ids": ["t1"], "created_at": "2026-11-29T15:04:05Z", "updated_at": "2026-11-29T15:04:05Z"}`

func winterBlock() ScheduleBlock {
	return ScheduleBlock{Days: []int{1, 2, 3, 4, 5}, From: "07:00", To: "22:00", Mode: "heat", HeatingSetpoint: Ptr(68)}
}

func TestSchedulesEndpoints(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)
	want := &Schedule{ID: "s1", Name: "Winter weekdays", DeviceType: "thermostat", PropertyID: 101,
		Blocks: []ScheduleBlock{winterBlock()}, DeviceIDs: []string{"t1"}, CreatedAt: at, UpdatedAt: at}
	runEndpoints(t, []endpointCase{
		{
			name: "List", method: "GET", path: "/api/schedules", query: url.Values{"property_id": {"101"}, "device_type": {"thermostat"}},
			reply: `{"schedules": [` + scheduleJSON + `], "total_records": 1, "page": 1, "per_page": 25}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.List(ctx, ScheduleListOptions{PropertyID: 101, DeviceType: "thermostat"})
			},
			want: []Schedule{*want}, paging: [3]int{1, 1, 25},
		},
		{
			name: "Create", method: "POST", path: "/api/schedules", status: http.StatusCreated, reply: scheduleJSON,
			body: `{"name": "Winter weekdays", "device_type": "thermostat", "property_id": 101,
				"blocks": [{"days": [1,2,3,4,5], "from": "07:00", "to": "22:00", "mode": "heat", "heating_setpoint": 68,
				"cooling_setpoint": null, "power": null}]}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.Create(ctx, ScheduleRequest{Name: Ptr("Winter weekdays"), DeviceType: Ptr("thermostat"),
					PropertyID: Ptr(int64(101)), Blocks: []ScheduleBlock{winterBlock()}})
			},
			want: want,
		},
		{
			name: "Update", method: "PUT", path: "/api/schedules/s1", reply: scheduleJSON, body: `{"name": "Winter"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.Update(ctx, "s1", ScheduleRequest{Name: Ptr("Winter")})
			},
			want: want,
		},
		{
			name: "Delete", method: "DELETE", path: "/api/schedules/s1", reply: `{"success": true, "message": "Schedule deleted"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Schedules.Delete(ctx, "s1"))
			},
		},
		{
			name: "ListForDevice", method: "GET", path: "/api/devices/t1/schedules",
			reply: `{"schedules": [` + scheduleJSON + `], "active_schedule_id": "s1"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.ListForDevice(ctx, "t1")
			},
			want: &DeviceSchedules{Schedules: []Schedule{*want}, ActiveScheduleID: "s1"},
		},
		{
			name: "ListForDevice none active", method: "GET", path: "/api/devices/t1/schedules",
			reply: `{"schedules": [], "active_schedule_id": null}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.ListForDevice(ctx, "t1")
			},
			want: &DeviceSchedules{Schedules: []Schedule{}},
		},
		{
			name: "Activate", method: "PUT", path: "/api/devices/t1/schedules/s1/activate",
			reply: `{"success": true, "message": "Schedule activated"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Schedules.Activate(ctx, "t1", "s1"))
			},
		},
	})
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	thermo := func(blocks ...ScheduleBlock) ScheduleRequest {
		return ScheduleRequest{Name: Ptr("n"), DeviceType: Ptr("thermostat"), PropertyID: Ptr(int64(1)), Blocks: blocks}
	}
	sw := func(kind string, blocks ...ScheduleBlock) ScheduleRequest {
		r := thermo(blocks...)
		r.DeviceType = &kind
		return r
	}
	block := func(days []int, from, to, mode string) ScheduleBlock {
		return ScheduleBlock{Days: days, From: from, To: to, Mode: mode}
	}
	tests := []struct {
		name string
		r    ScheduleRequest
		ok   bool
	}{
		{"valid thermostat", thermo(winterBlock()), true},
		{"adjacent blocks", thermo(block([]int{1}, "00:00", "07:00", "off"), block([]int{1}, "07:00", "08:00", "off")), true},
		{"overlap same day", thermo(block([]int{1, 2}, "06:00", "08:00", "off"), block([]int{2}, "07:59", "09:00", "off")), false},
		{"no overlap other day", thermo(block([]int{1}, "06:00", "08:00", "off"), block([]int{2}, "07:00", "09:00", "off")), true},
		{"day 7", thermo(block([]int{7}, "06:00", "08:00", "off")), false},
		{"no days", thermo(block(nil, "06:00", "08:00", "off")), false},
		{"from after to", thermo(block([]int{1}, "09:00", "08:00", "off")), false},
		{"bad clock", thermo(block([]int{1}, "9:00", "10:00", "off")), false},
		{"thermostat bad mode", thermo(block([]int{1}, "06:00", "08:00", "on")), false},
		{"setpoint out of range", thermo(ScheduleBlock{Days: []int{1}, From: "06:00", To: "08:00", Mode: "heat", HeatingSetpoint: Ptr(95)}), false},
		{"switch on", sw("switch", block([]int{1}, "06:00", "08:00", "on")), true},
		{"switch heat", sw("switch", block([]int{1}, "06:00", "08:00", "heat")), false},
		{"switch with power", sw("switch", ScheduleBlock{Days: []int{1}, From: "06:00", To: "08:00", Mode: "on", Power: Ptr(5)}), false},
		{"dimmer power", sw("dimmable_switch", ScheduleBlock{Days: []int{1}, From: "06:00", To: "08:00", Mode: "on", Power: Ptr(50)}), true},
		{"dimmer power 101", sw("dimmable_switch", ScheduleBlock{Days: []int{1}, From: "06:00", To: "08:00", Mode: "on", Power: Ptr(101)}), false},
		{"unknown type", sw("lock", block([]int{1}, "06:00", "08:00", "lock")), false},
		{"create without blocks", thermo(), false},
	}
	for _, tt := range tests {
		if err := tt.r.validate(true); (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
			t.Errorf("%s: validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if err := (ScheduleRequest{}).validate(false); !errorsIsValidation(err) {
		t.Errorf("empty update: %v", err)
	}
}
