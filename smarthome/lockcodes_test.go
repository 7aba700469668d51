package smarthome

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

const lockCodeJSON = `{"id": "c1", "name": "Jane Doe", "code": "482913", "validity_type": "Specific Period",
	"from_date": "2026-12-01 15-00", "to_date": "2026-12-05 11-00", "schedule_details_info": [],
	"code_type": "Guest Code", "property_id": 101, "hub_id": "h1", "created_at": "2026-11-29T15:04:05Z",
	"updated_at": "2026-11-29T15:04:05Z",
	"devices": [{"device_id": "d1", "status": "set", "slot": 2, "error": "", "updated_at": "2026-11-29T15:04:09Z"},
	            {"device_id": "d2", "status": "failed", "slot": null, "error": "slots full", "updated_at": "2026-11-29T15:04:09Z"}]}`

func wantLockCode() *LockCode {
	at := time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)
	synced := at.Add(4 * time.Second)
	return &LockCode{
		ID: "c1", Name: "Jane Doe", Code: "482913", ValidityType: ValiditySpecificPeriod,
		FromDate: "2026-12-01 15-00", ToDate: "2026-12-05 11-00", ScheduleDetailsInfo: []ScheduleEntry{},
		CodeType: "Guest Code", PropertyID: Ptr(int64(101)), HubID: "h1", CreatedAt: at, UpdatedAt: at,
		Devices: []LockCodeDevice{
			{DeviceID: "d1", Status: CodeSet, Slot: Ptr(2), UpdatedAt: synced},
			{DeviceID: "d2", Status: CodeFailed, Error: "slots full", UpdatedAt: synced},
		},
	}
}

func TestLockCodesEndpoints(t *testing.T) {
	t.Parallel()
	chicago := time.FixedZone("CST", -6*3600)
	runEndpoints(t, []endpointCase{
		{
			name: "List", method: "GET", path: "/api/lock_codes",
			query: url.Values{"hub_id": {"h1"}, "property_id": {"101"}, "device_id": {"d1"}, "page": {"1"}, "per_page": {"50"}},
			reply: `{"lock_codes": [` + lockCodeJSON + `], "total_records": 1, "page": 1, "per_page": 50}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.LockCodes.List(ctx, LockCodeListOptions{DeviceID: "d1", HubID: "h1", PropertyID: 101, Page: 1, PerPage: 50})
			},
			want:   []LockCode{*wantLockCode()},
			paging: [3]int{1, 1, 50},
		},
		{
			name: "Get", method: "GET", path: "/api/lock_codes/c1", reply: lockCodeJSON,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.LockCodes.Get(ctx, "c1") },
			want: wantLockCode(),
		},
		{
			name: "Create specific period", method: "POST", path: "/api/lock_codes", status: http.StatusCreated, reply: lockCodeJSON,
			body: `{"name": "Jane Doe", "code": "482913", "validity_type": "Specific Period", "from_date": "2026-12-01 15-00",
				"to_date": "2026-12-05 11-00", "hub_id": "h1"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r := LockCodeRequest{Name: "Jane Doe", Code: "482913", HubID: "h1"}
				r.SetSpecificPeriod(time.Date(2026, 12, 1, 21, 0, 30, 0, time.UTC), time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), chicago)
				return c.LockCodes.Create(ctx, r)
			},
			want: wantLockCode(),
		},
		{
			name: "Create by day of week", method: "POST", path: "/api/lock_codes", status: http.StatusCreated, reply: lockCodeJSON,
			body: `{"name": "Cleaner", "code": "1234", "validity_type": "By Day of Week", "device_ids": ["d1", "d2"],
				"schedule_details_info": [{"d": 0, "f": "09:00", "t": "12:30"}, {"d": 6, "f": "10:00", "t": "11:00"}]}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r := LockCodeRequest{Name: "Cleaner", Code: "1234", DeviceIDs: []string{"d1", "d2"}}
				r.SetDayOfWeek(DayOfWeekEntry(time.Sunday, TimeOfDay{9, 0}, TimeOfDay{12, 30}),
					DayOfWeekEntry(time.Saturday, TimeOfDay{10, 0}, TimeOfDay{11, 0}))
				return c.LockCodes.Create(ctx, r)
			},
			want: wantLockCode(),
		},
		{
			name: "Create daily repeating", method: "POST", path: "/api/lock_codes", status: http.StatusCreated, reply: lockCodeJSON,
			body: `{"name": "Dog walker", "code": "87654321", "validity_type": "Daily Repeating", "property_id": 101,
				"schedule_details_info": [{"wd": ["1", "3", "5"], "f": "12:00", "t": "13:00"}]}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r := LockCodeRequest{Name: "Dog walker", Code: "87654321", PropertyID: 101}
				r.SetDailyRepeating(DailyEntry([]time.Weekday{time.Monday, time.Wednesday, time.Friday}, TimeOfDay{12, 0}, TimeOfDay{13, 0}))
				return c.LockCodes.Create(ctx, r)
			},
			want: wantLockCode(),
		},
		{
			name: "Create never expires vacancy", method: "POST", path: "/api/lock_codes", status: http.StatusCreated, reply: lockCodeJSON,
			body: `{"name": "Vacancy", "code": "5555", "validity_type": "Never Expires", "code_type": "Vacancy Code", "device_id": "d1"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r := LockCodeRequest{Name: "Vacancy", Code: "5555", DeviceID: "d1", CodeType: CodeTypeVacancy}
				r.SetNeverExpires()
				return c.LockCodes.Create(ctx, r)
			},
			want: wantLockCode(),
		},
		{
			name: "Update", method: "PUT", path: "/api/lock_codes/c1", reply: lockCodeJSON,
			body: `{"name": "Jane D.", "to_date": "2026-12-06 11-00", "from_date": "2026-12-01 15-00"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.LockCodes.Update(ctx, "c1", LockCodeUpdate{Name: Ptr("Jane D."), FromDate: Ptr("2026-12-01 15-00"), ToDate: Ptr("2026-12-06 11-00")})
			},
			want: wantLockCode(),
		},
		{
			name: "Delete", method: "DELETE", path: "/api/lock_codes/c1", reply: `{"success": true, "message": "Lock code deleted"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.LockCodes.Delete(ctx, "c1"))
			},
		},
	})
}

func TestLockCodeRequestValidate(t *testing.T) {
	t.Parallel()
	base := func() LockCodeRequest {
		return LockCodeRequest{Name: "Jane", Code: "482913", ValidityType: ValiditySpecificPeriod,
			FromDate: "2026-12-01 15-00", ToDate: "2026-12-05 11-00", DeviceID: "d1"}
	}
	tests := []struct {
		name   string
		mutate func(r *LockCodeRequest)
		ok     bool
	}{
		{"valid", func(r *LockCodeRequest) {}, true},
		{"code 4 digits", func(r *LockCodeRequest) { r.Code = "1234" }, true},
		{"code 3 digits", func(r *LockCodeRequest) { r.Code = "123" }, false},
		{"code 9 digits", func(r *LockCodeRequest) { r.Code = "123456789" }, false},
		{"code with letter", func(r *LockCodeRequest) { r.Code = "12a4" }, false},
		{"code unicode digit", func(r *LockCodeRequest) { r.Code = "١٢٣٤" }, false},
		{"no name", func(r *LockCodeRequest) { r.Name = "" }, false},
		{"name 64 runes", func(r *LockCodeRequest) { r.Name = string(make([]rune, 64)) }, true},
		{"name 65 runes", func(r *LockCodeRequest) { r.Name = string(make([]rune, 65)) }, false},
		{"no target", func(r *LockCodeRequest) { r.DeviceID = "" }, false},
		{"two targets", func(r *LockCodeRequest) { r.HubID = "h1" }, false},
		{"device_ids alone", func(r *LockCodeRequest) { r.DeviceID, r.DeviceIDs = "", []string{"a", "b"} }, true},
		{"empty id in device_ids", func(r *LockCodeRequest) { r.DeviceID, r.DeviceIDs = "", []string{"a", ""} }, false},
		{"property alone", func(r *LockCodeRequest) { r.DeviceID, r.PropertyID = "", 9 }, true},
		{"unknown validity", func(r *LockCodeRequest) { r.ValidityType = "Sometimes" }, false},
		{"period missing to", func(r *LockCodeRequest) { r.ToDate = "" }, false},
		{"period from == to", func(r *LockCodeRequest) { r.ToDate = r.FromDate }, false},
		{"period from after to", func(r *LockCodeRequest) { r.FromDate, r.ToDate = r.ToDate, r.FromDate }, false},
		{"period colon layout", func(r *LockCodeRequest) { r.FromDate = "2026-12-01 15:00" }, false},
		{"period with schedule", func(r *LockCodeRequest) {
			r.ScheduleDetailsInfo = []ScheduleEntry{{Day: Ptr(1), From: "01:00", To: "02:00"}}
		}, false},
		{"never expires with dates", func(r *LockCodeRequest) { r.ValidityType = ValidityNeverExpires }, false},
		{"never expires", func(r *LockCodeRequest) { r.SetNeverExpires() }, true},
		{"day of week Sunday", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{Day: Ptr(0), From: "00:00", To: "23:59"}) }, true},
		{"day of week 7", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{Day: Ptr(7), From: "01:00", To: "02:00"}) }, false},
		{"day of week missing d", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{From: "01:00", To: "02:00"}) }, false},
		{"day of week with wd", func(r *LockCodeRequest) {
			r.SetDayOfWeek(ScheduleEntry{Day: Ptr(1), Weekdays: []string{"1"}, From: "01:00", To: "02:00"})
		}, false},
		{"day of week f == t", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{Day: Ptr(1), From: "02:00", To: "02:00"}) }, false},
		{"day of week bad clock", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{Day: Ptr(1), From: "1:00", To: "02:00"}) }, false},
		{"day of week 24:00", func(r *LockCodeRequest) { r.SetDayOfWeek(ScheduleEntry{Day: Ptr(1), From: "01:00", To: "24:00"}) }, false},
		{"day of week no entries", func(r *LockCodeRequest) { r.SetDayOfWeek() }, false},
		{"daily", func(r *LockCodeRequest) {
			r.SetDailyRepeating(ScheduleEntry{Weekdays: []string{"0", "6"}, From: "08:00", To: "09:00"})
		}, true},
		{"daily wd 7", func(r *LockCodeRequest) {
			r.SetDailyRepeating(ScheduleEntry{Weekdays: []string{"7"}, From: "08:00", To: "09:00"})
		}, false},
		{"daily wd empty", func(r *LockCodeRequest) { r.SetDailyRepeating(ScheduleEntry{From: "08:00", To: "09:00"}) }, false},
		{"daily with d", func(r *LockCodeRequest) {
			r.SetDailyRepeating(ScheduleEntry{Day: Ptr(1), Weekdays: []string{"1"}, From: "08:00", To: "09:00"})
		}, false},
		{"daily with dates", func(r *LockCodeRequest) {
			r.SetDailyRepeating(ScheduleEntry{Weekdays: []string{"1"}, From: "08:00", To: "09:00"})
			r.FromDate = "2026-12-01 15-00"
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := base()
			tt.mutate(&r)
			err := r.Validate()
			if (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
				t.Errorf("Validate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestLockCodeUpdateValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		u    LockCodeUpdate
		ok   bool
	}{
		{"empty", LockCodeUpdate{}, false},
		{"name", LockCodeUpdate{Name: Ptr("x")}, true},
		{"empty name", LockCodeUpdate{Name: Ptr("")}, false},
		{"bad code", LockCodeUpdate{Code: Ptr(PIN("12"))}, false},
		{"code", LockCodeUpdate{Code: Ptr(PIN("9876"))}, true},
		{"dates reversed", LockCodeUpdate{FromDate: Ptr("2026-12-05 11-00"), ToDate: Ptr("2026-12-01 15-00")}, false},
		{"to only", LockCodeUpdate{ToDate: Ptr("2026-12-05 11-00")}, true},
		{"switch to never", LockCodeUpdate{ValidityType: Ptr(ValidityNeverExpires)}, true},
		{"switch to period without dates", LockCodeUpdate{ValidityType: Ptr(ValiditySpecificPeriod)}, false},
	}
	for _, tt := range tests {
		if err := tt.u.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestLockCodeTimes(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// 2026-03-08 07:30 UTC is 03:30 EDT, just after the spring-forward gap.
	at := time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)
	if got := FormatLockCodeTime(at, ny); got != "2026-03-08 03-30" {
		t.Errorf("FormatLockCodeTime = %q", got)
	}
	back, err := ParseLockCodeTime("2026-03-08 03-30", ny)
	if err != nil || !back.Equal(at) {
		t.Errorf("ParseLockCodeTime = %v, %v", back, err)
	}
	if _, err := ParseLockCodeTime("2026-03-08 03:30", ny); err == nil {
		t.Error("a colon layout was accepted")
	}
	if c := ClockOf(at, ny); c.String() != "03:30" {
		t.Errorf("ClockOf = %v", c)
	}
	b, _ := json.Marshal(DayOfWeekEntry(time.Sunday, TimeOfDay{7, 5}, TimeOfDay{8, 0}))
	if string(b) != `{"d":0,"f":"07:05","t":"08:00"}` {
		t.Errorf("entry JSON = %s", b)
	}
}
