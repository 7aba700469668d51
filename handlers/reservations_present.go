package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// reservationStatus is how a reservation reads now: cancelled, upcoming, staying now or ended.
func reservationStatus(res db.Reservation, now time.Time) (label, kind string) {
	switch {
	case res.Status == db.ReservationCancelled:
		return "Cancelled", "muted"
	case now.Before(res.CheckIn):
		return "Upcoming", "info"
	case now.Before(res.CheckOut):
		return "Staying now", "ok"
	default:
		return "Ended", "muted"
	}
}

func (a *stayPages) reservationRow(res db.Reservation, loc *time.Location) views.ReservationRowData {
	row := views.ReservationRowData{ID: strconv.FormatInt(res.ID, 10), URL: reservationURL(res.ID),
		GuestName: res.GuestName, GuestEmail: res.GuestEmail, Cancelled: res.Status == db.ReservationCancelled}
	row.CheckIn, row.CheckInISO = localTimes(&res.CheckIn, loc)
	row.CheckOut, row.CheckOutISO = localTimes(&res.CheckOut, loc)
	row.Status, row.StatusKind = reservationStatus(res, a.Stays.Now())
	return row
}

// mayRevealStayCode reports whether the viewer may see a code: the person who issued it, or whoever may reveal any code.
func mayRevealStayCode(p *principal, createdBy *int64) bool {
	return p.can(auth.RevealAnyCode) || (p.can(auth.ManageAccess) && createdBy != nil && *createdBy == p.user.ID)
}

// reservationPage builds the reservation page; form is the edit form as submitted (nil: filled from res).
func (a *stayPages) reservationPage(r *http.Request, res db.Reservation, p db.Property, form *views.ReservationFormData) (views.ReservationPageData, error) {
	loc := tz.Load(p.TimeZone)
	id := strconv.FormatInt(res.ID, 10)
	row := a.reservationRow(res, loc)
	d := views.ReservationPageData{ID: id, PropertyID: strconv.FormatInt(p.ID, 10), PropertyName: p.Name,
		TimeZone: p.TimeZone, GuestName: res.GuestName, GuestEmail: res.GuestEmail, GuestPhone: res.GuestPhone,
		Window: stays.SpanText(res.CheckIn, res.CheckOut, loc), Status: row.Status, StatusKind: row.StatusKind,
		Cancelled: row.Cancelled, CancelURL: reservationURL(res.ID) + "/cancel"}
	codeFrom, codeTo := stays.CodeWindow(res)
	d.CodeWindow = stays.SpanText(codeFrom, codeTo, loc)
	d.Code = views.CodeData{DOMID: "reservation-code-" + id}
	switch {
	case d.Cancelled:
		d.Code.Note = "None: the reservation is cancelled and its code removed"
	case res.LockCodeID == "":
		d.Code.Note = "None: the property had no lock when the reservation was made"
	case mayRevealStayCode(currentUser(r.Context()), res.CreatedBy):
		d.Code.RevealURL = reservationURL(res.ID) + "/reveal"
	}
	names, err := a.lockNames(r.Context(), p.ID)
	if err != nil {
		return d, err
	}
	d.CodeStatus = a.codeStatus(r.Context(), res.LockCodeID, names, loc, "reservation-code-status-"+id, reservationURL(res.ID)+"/code")
	if form == nil {
		form = &views.ReservationFormData{GuestName: res.GuestName, GuestEmail: res.GuestEmail, GuestPhone: res.GuestPhone,
			CheckIn: stays.DateTimeInputValue(res.CheckIn, loc), CheckOut: stays.DateTimeInputValue(res.CheckOut, loc),
			BufferBefore: strconv.Itoa(res.BufferBeforeMinutes), BufferAfter: strconv.Itoa(res.BufferAfterMinutes)}
	}
	form.Action, form.Editing, form.TimeZone = reservationURL(res.ID), true, p.TimeZone
	form.PropertyID, form.PropertyName = d.PropertyID, p.Name
	d.Form = *form
	return d, nil
}

// handleReservationCode answers the code-state fragment the reservation page polls while the code changes.
func handleReservationCode(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		res, p, err := a.loadReservation(r)
		if err != nil {
			return err
		}
		names, err := a.lockNames(r.Context(), p.ID)
		if err != nil {
			return err
		}
		id := strconv.FormatInt(res.ID, 10)
		s := a.codeStatus(r.Context(), res.LockCodeID, names, tz.Load(p.TimeZone), "reservation-code-status-"+id,
			reservationURL(res.ID)+"/code")
		return render(w, r, http.StatusOK, views.CodeStatus(s))
	})
}

// handleReservationReveal shows a reservation's code to the person who issued it (or an admin), read from the
// upstream and never stored; every reveal is audited. htmx gets the code fragment, a plain form post the page.
func handleReservationReveal(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		res, p, err := a.loadReservation(r)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "reservation.code_reveal", targetType: "reservation", targetID: strconv.FormatInt(res.ID, 10), propertyID: &p.ID}
		if !mayRevealStayCode(currentUser(r.Context()), res.CreatedBy) {
			rec.outcome, rec.detail = db.OutcomeDenied, "not the person who issued it"
			audit(r, a.Store, a.Logger, rec)
			return forbidden("Only the person who made this reservation, or an admin, may reveal its code.")
		}
		pin, err := a.Stays.RevealReservationCode(r.Context(), res)
		if errors.Is(err, stays.ErrNoCode) {
			return &httpError{http.StatusConflict, "This reservation has no code to reveal.", nil}
		}
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, "upstream read failed"
			audit(r, a.Store, a.Logger, rec)
			return err
		}
		rec.outcome = db.OutcomeOK
		audit(r, a.Store, a.Logger, rec)
		w.Header().Set("Cache-Control", "no-store")
		code := views.CodeData{DOMID: "reservation-code-" + strconv.FormatInt(res.ID, 10), PIN: pin}
		if isHTMX(r) {
			return render(w, r, http.StatusOK, views.Code(code))
		}
		data, err := a.reservationPage(r, res, p, nil)
		if err != nil {
			return err
		}
		data.Code = code
		return render(w, r, http.StatusOK, views.ReservationPage(a.meta(r, res.GuestName, views.NavProperties), data))
	})
}
