package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// nextTransition returns the first whole hour after now at which loc's UTC offset changes the way want says
// (spring: the offset grows).
func nextTransition(t *testing.T, loc *time.Location, spring bool) time.Time {
	t.Helper()
	at := time.Now().Truncate(time.Hour)
	_, off := at.In(loc).Zone()
	for range 24 * 800 {
		at = at.Add(time.Hour)
		_, o := at.In(loc).Zone()
		if o != off {
			if (o > off) == spring {
				return at
			}
			off = o
		}
	}
	t.Fatalf("%s has no DST change in two years", loc)
	return time.Time{}
}

// TestReservationAcrossDST: a stay that spans the spring-forward night is entered in wall-clock times, stored in
// UTC with the right offsets, shown with each end's own zone abbreviation, and its code written in local time.
func TestReservationAcrossDST(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	tr := nextTransition(t, a.loc, true).In(a.loc)
	day := time.Date(tr.Year(), tr.Month(), tr.Day(), 0, 0, 0, 0, time.UTC)
	form := url.Values{"property_id": {a.pid()}, "guest_name": {"Dee Ess"}, "check_in": {day.AddDate(0, 0, -1).Format("2006-01-02") + "T15:00"},
		"check_out": {day.AddDate(0, 0, 1).Format("2006-01-02") + "T11:00"}, "buffer_before": {"60"}, "buffer_after": {"60"}}
	id := idFrom(t, a.postForm(t, staff, "/reservations", form), "/reservations/")
	r, err := a.store.Reservation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	wantIn := time.Date(day.Year(), day.Month(), day.Day()-1, 15, 0, 0, 0, a.loc)
	wantOut := time.Date(day.Year(), day.Month(), day.Day()+1, 11, 0, 0, 0, a.loc)
	if !r.CheckIn.Equal(wantIn) || !r.CheckOut.Equal(wantOut) || r.CheckIn.Location() != time.UTC {
		t.Fatalf("stored %v – %v, want %v – %v in UTC", r.CheckIn, r.CheckOut, wantIn.UTC(), wantOut.UTC())
	}
	if got := r.CheckOut.Sub(r.CheckIn); got != 43*time.Hour { // 44 wall-clock hours, one of them skipped
		t.Errorf("stay lasts %v, want 43h", got)
	}
	page := a.get(t, staff, "/reservations/"+strconv.FormatInt(id, 10))
	window := text(one(t, page.doc, "reservation-window"))
	std, _ := wantIn.Zone()
	dst, _ := wantOut.Zone()
	if std == dst || !strings.Contains(window, "3:00 PM "+std) || !strings.Contains(window, "11:00 AM "+dst) {
		t.Errorf("window %q, want 3:00 PM %s … 11:00 AM %s", window, std, dst)
	}
	lc, _, err := a.api.LockCodes.Get(ctx, r.LockCodeID)
	if err != nil {
		t.Fatal(err)
	}
	if lc.FromDate != day.AddDate(0, 0, -1).Format("2006-01-02")+" 14-00" || lc.ToDate != day.AddDate(0, 0, 1).Format("2006-01-02")+" 12-00" {
		t.Errorf("code window %s – %s, want local 14-00 and 12-00", lc.FromDate, lc.ToDate)
	}
	if got := one(t, page.doc, "res-check-in").AttrOr("value", ""); got != form.Get("check_in") {
		t.Errorf("edit form shows check-in %q, want %q", got, form.Get("check_in"))
	}

	// 2:30 that night does not exist.
	gap := a.reservationForm("Gap", time.Time{}, time.Time{})
	gap.Set("check_in", day.Format("2006-01-02")+"T02:30")
	gap.Set("check_out", day.Format("2006-01-02")+"T12:00")
	res := a.postForm(t, staff, "/reservations", gap)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(res.doc.Find(`[data-testid="form-error"]`)); !strings.Contains(msg, "does not exist") {
		t.Errorf("gap message %q", msg)
	}
}
