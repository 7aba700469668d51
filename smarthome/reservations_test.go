package smarthome

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const reservationJSON = `{"id": 7, "property_id": 101, "guest_name": "Ana Ruiz", "guest_email": "ana@example.com",
	"guest_phone": "+15125550100", "check_in": "2026-12-01T21:00:00Z", "check_out": "2026-12-05T17:00:00Z",
	"code": "482913", "buffer_before_minutes": 60, "buffer_after_minutes": 60, "lock_code_id": "c1",
	"status": "confirmed", "created_at": "2026-11-29T15:04:05Z", "updated_at": "2026-11-29T15:04:05Z"}`

func TestReservationsEndpoints(t *testing.T) {
	t.Parallel()
	in, out := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC), time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)
	want := &Reservation{ID: 7, PropertyID: 101, GuestName: "Ana Ruiz", GuestEmail: "ana@example.com", GuestPhone: "+15125550100",
		CheckIn: in, CheckOut: out, Code: "482913", BufferBeforeMinutes: 60, BufferAfterMinutes: 60, LockCodeID: "c1",
		Status: "confirmed", CreatedAt: at, UpdatedAt: at}
	chicago := time.FixedZone("CST", -6*3600)
	runEndpoints(t, []endpointCase{
		{
			name: "List", method: "GET", path: "/api/reservations", query: url.Values{"property_id": {"101"}, "page": {"3"}},
			reply: `{"reservations": [` + reservationJSON + `], "total_records": 51, "page": 3, "per_page": 25}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Reservations.List(ctx, ReservationListOptions{PropertyID: 101, Page: 3})
			},
			want: []Reservation{*want}, paging: [3]int{51, 3, 25},
		},
		{
			name: "Get", method: "GET", path: "/api/reservations/7", reply: reservationJSON,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Reservations.Get(ctx, 7) },
			want: want,
		},
		{
			name: "Create", method: "POST", path: "/api/reservations", status: http.StatusCreated, reply: reservationJSON,
			body: `{"property_id": 101, "guest_name": "Ana Ruiz", "guest_email": "ana@example.com",
				"check_in": "2026-12-01T21:00:00Z", "check_out": "2026-12-05T17:00:00Z", "buffer_before_minutes": 0}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Reservations.Create(ctx, ReservationRequest{PropertyID: Ptr(int64(101)), GuestName: Ptr("Ana Ruiz"),
					GuestEmail: Ptr("ana@example.com"), CheckIn: Ptr(in.In(chicago)), CheckOut: &out, BufferBeforeMinutes: Ptr(0)})
			},
			want: want,
		},
		{
			name: "Update", method: "PUT", path: "/api/reservations/7", reply: reservationJSON,
			body: `{"check_out": "2026-12-05T17:00:00Z", "code": "482913"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Reservations.Update(ctx, 7, ReservationRequest{CheckOut: &out, Code: Ptr(PIN("482913"))})
			},
			want: want,
		},
		{
			name: "Delete", method: "DELETE", path: "/api/reservations/7", reply: `{"success": true, "message": "Reservation cancelled"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Reservations.Delete(ctx, 7))
			},
		},
	})
}

func TestReservationValidation(t *testing.T) {
	t.Parallel()
	in := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	valid := func() ReservationRequest {
		return ReservationRequest{PropertyID: Ptr(int64(1)), GuestName: Ptr("Ana"), CheckIn: &in, CheckOut: Ptr(in.Add(time.Hour))}
	}
	tests := []struct {
		name   string
		create bool
		mutate func(r *ReservationRequest)
		ok     bool
	}{
		{"valid", true, func(r *ReservationRequest) {}, true},
		{"no property", true, func(r *ReservationRequest) { r.PropertyID = nil }, false},
		{"out == in", true, func(r *ReservationRequest) { r.CheckOut = &in }, false},
		{"long name", true, func(r *ReservationRequest) { r.GuestName = Ptr(strings.Repeat("é", 101)) }, false},
		{"empty name", true, func(r *ReservationRequest) { r.GuestName = Ptr("") }, false},
		{"bad email", true, func(r *ReservationRequest) { r.GuestEmail = Ptr("ana at example") }, false},
		{"buffer 1440", true, func(r *ReservationRequest) { r.BufferAfterMinutes = Ptr(1440) }, true},
		{"buffer 1441", true, func(r *ReservationRequest) { r.BufferAfterMinutes = Ptr(1441) }, false},
		{"buffer negative", true, func(r *ReservationRequest) { r.BufferBeforeMinutes = Ptr(-1) }, false},
		{"bad code", true, func(r *ReservationRequest) { r.Code = Ptr(PIN("12")) }, false},
		{"empty update", false, func(r *ReservationRequest) { *r = ReservationRequest{} }, false},
		{"partial update", false, func(r *ReservationRequest) { *r = ReservationRequest{GuestPhone: Ptr("1")} }, true},
	}
	for _, tt := range tests {
		r := valid()
		tt.mutate(&r)
		if err := r.validate(tt.create); (err == nil) != tt.ok || (err != nil && !errorsIsValidation(err)) {
			t.Errorf("%s: validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
