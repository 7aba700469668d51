package smarthome_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractReservations(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	checkIn := e.sim.Now().AddDate(0, 0, 2).Truncate(time.Hour)
	checkOut := checkIn.AddDate(0, 0, 3)

	res, resp, err := c.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(101)),
		GuestName: smarthome.Ptr("Ana Ruiz"), GuestEmail: smarthome.Ptr("ana@example.com"),
		GuestPhone: smarthome.Ptr("+15125550100"), CheckIn: &checkIn, CheckOut: &checkOut})
	must(t, err)
	if resp.StatusCode != http.StatusCreated || res.ID == 0 || res.PropertyID != 101 || res.GuestName != "Ana Ruiz" ||
		res.GuestEmail != "ana@example.com" || !res.CheckIn.Equal(checkIn) || !res.CheckOut.Equal(checkOut) ||
		!validPIN6(res.Code) || res.BufferBeforeMinutes != 60 || res.BufferAfterMinutes != 60 || res.Status != "confirmed" ||
		res.LockCodeID == "" {
		t.Fatalf("created %d %+v", resp.StatusCode, res)
	}
	// The reservation's code: a Specific Period code on every lock of the property, widened by the buffers.
	checkCode := func(t *testing.T, r *smarthome.Reservation) {
		t.Helper()
		lc, _, err := c.LockCodes.Get(ctx, r.LockCodeID)
		must(t, err)
		from := smarthome.FormatLockCodeTime(r.CheckIn.Add(-time.Duration(r.BufferBeforeMinutes)*time.Minute), s.loc)
		to := smarthome.FormatLockCodeTime(r.CheckOut.Add(time.Duration(r.BufferAfterMinutes)*time.Minute), s.loc)
		if lc.ValidityType != smarthome.ValiditySpecificPeriod || lc.FromDate != from || lc.ToDate != to ||
			lc.Code != r.Code || lc.Name != r.GuestName || len(lc.Devices) != len(s.devs["lock"]) {
			t.Errorf("lock code %s %s..%s on %d locks, want %s..%s on %d", lc.ValidityType, lc.FromDate, lc.ToDate,
				len(lc.Devices), from, to, len(s.devs["lock"]))
		}
	}
	checkCode(t, res)

	t.Run("get and list", func(t *testing.T) {
		got, _, err := c.Reservations.Get(ctx, res.ID)
		must(t, err)
		if *got != *res {
			t.Errorf("Get = %+v, want %+v", got, res)
		}
		list, resp, err := c.Reservations.List(ctx, smarthome.ReservationListOptions{PropertyID: 101})
		must(t, err)
		if len(list) != 1 || list[0].ID != res.ID || resp.TotalRecords != 1 {
			t.Errorf("list %+v (total %d)", list, resp.TotalRecords)
		}
		other, resp, err := c.Reservations.List(ctx, smarthome.ReservationListOptions{PropertyID: 102})
		must(t, err)
		if len(other) != 0 || resp.TotalRecords != 0 {
			t.Errorf("property 102 lists %+v", other)
		}
		_, _, err = c.Reservations.Get(ctx, 9999)
		checkErr(t, err, smarthome.ErrNotFound, "Reservation not found")
	})
	t.Run("update re-times and re-codes the lock code", func(t *testing.T) {
		later := checkOut.AddDate(0, 0, 1)
		up, _, err := c.Reservations.Update(ctx, res.ID, smarthome.ReservationRequest{CheckOut: &later,
			BufferAfterMinutes: smarthome.Ptr(30), Code: smarthome.Ptr(smarthome.PIN("24681357"))})
		must(t, err)
		if !up.CheckOut.Equal(later) || up.BufferAfterMinutes != 30 || up.Code != "24681357" || up.GuestName != "Ana Ruiz" {
			t.Errorf("updated %+v", up)
		}
		checkCode(t, up)
	})
	t.Run("delete cancels and removes the code", func(t *testing.T) {
		e.advance(commandDelay)
		_, err := c.Reservations.Delete(ctx, res.ID)
		must(t, err)
		got, _, err := c.Reservations.Get(ctx, res.ID)
		must(t, err)
		if got.Status != "cancelled" {
			t.Errorf("status %q, want cancelled", got.Status)
		}
		e.advance(commandDelay)
		_, _, err = c.LockCodes.Get(ctx, res.LockCodeID)
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
		_, _, err = c.Reservations.Update(ctx, res.ID, smarthome.ReservationRequest{GuestName: smarthome.Ptr("Late")})
		checkErr(t, err, smarthome.ErrConflict, "Reservation is cancelled")
	})
}

func TestContractReservationRules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	in := e.sim.Now().AddDate(0, 0, 1)
	out := in.AddDate(0, 0, 2)
	valid := func() smarthome.ReservationRequest {
		return smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(102)), GuestName: smarthome.Ptr("Guest"),
			CheckIn: smarthome.Ptr(in), CheckOut: smarthome.Ptr(out)}
	}
	local := []struct {
		name   string
		change func(r *smarthome.ReservationRequest)
		msg    string
	}{
		{"guest name missing", func(r *smarthome.ReservationRequest) { r.GuestName = smarthome.Ptr("") }, "guest_name is required"},
		{"guest name too long", func(r *smarthome.ReservationRequest) { r.GuestName = smarthome.Ptr(strings.Repeat("g", 101)) }, "at most 100 characters"},
		{"check-out before check-in", func(r *smarthome.ReservationRequest) { r.CheckIn, r.CheckOut = r.CheckOut, r.CheckIn },
			"check_out must be after check_in"},
		{"buffer over a day", func(r *smarthome.ReservationRequest) { r.BufferBeforeMinutes = smarthome.Ptr(1441) }, "between 0 and 1440"},
		{"negative buffer", func(r *smarthome.ReservationRequest) { r.BufferAfterMinutes = smarthome.Ptr(-1) }, "between 0 and 1440"},
		{"code too short", func(r *smarthome.ReservationRequest) { r.Code = smarthome.Ptr(smarthome.PIN("12")) }, "code must be 4 to 8 digits"},
		{"bad email", func(r *smarthome.ReservationRequest) { r.GuestEmail = smarthome.Ptr("not-an-email") }, "guest_email is invalid"},
		{"check-out missing", func(r *smarthome.ReservationRequest) { r.CheckOut = nil }, "check_in and check_out are required"},
	}
	for _, tt := range local {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(&r)
			before := c.rec.total()
			_, _, err := c.Reservations.Create(t.Context(), r)
			checkLocal(t, c, before, err)
			e.wantRaw(token, "POST", "/api/reservations", r, 422, tt.msg)
		})
	}
	t.Run("unknown property", func(t *testing.T) {
		r := valid()
		r.PropertyID = smarthome.Ptr(int64(9999))
		_, _, err := c.Reservations.Create(t.Context(), r)
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
	})
	t.Run("PIN already on the property's lock", func(t *testing.T) {
		r := valid()
		r.Code = smarthome.Ptr(smarthome.PIN("13572468"))
		_, _, err := c.Reservations.Create(t.Context(), r)
		must(t, err)
		_, _, err = c.Reservations.Create(t.Context(), r)
		checkErr(t, err, smarthome.ErrConflict, "already in use")
	})
	t.Run("resident", func(t *testing.T) {
		_, _, err := e.resident().Reservations.List(t.Context(), smarthome.ReservationListOptions{})
		checkErr(t, err, smarthome.ErrForbidden, "only available to agents")
	})
}

// TestContractReservationMove: CONTRACT.md defines no move between properties, so the client refuses a PropertyID on
// update before sending, and the simulator answers a raw one with 422 instead of silently keeping the old property.
func TestContractReservationMove(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	in := e.sim.Now().AddDate(0, 0, 1)
	res, _, err := c.Reservations.Create(t.Context(), smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(101)),
		GuestName: smarthome.Ptr("Ana"), CheckIn: &in, CheckOut: smarthome.Ptr(in.AddDate(0, 0, 1))})
	must(t, err)
	tests := []struct {
		name string
		req  smarthome.ReservationRequest
	}{
		{"another property", smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(102))}},
		{"same property with a rename", smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(101)), GuestName: smarthome.Ptr("Bo")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			_, _, err := c.Reservations.Update(t.Context(), res.ID, tt.req)
			checkLocal(t, c, before, err)
			e.wantRaw(e.token(c), "PUT", "/api/reservations/"+strconv.FormatInt(res.ID, 10), tt.req, 422, "property_id cannot be changed")
		})
	}
	got, _, err := c.Reservations.Get(t.Context(), res.ID)
	must(t, err)
	if got.PropertyID != 101 || got.GuestName != "Ana" {
		t.Errorf("after refused moves: property %d, guest %q; want 101, Ana", got.PropertyID, got.GuestName)
	}
}
