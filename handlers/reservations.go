package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// accessFlashes are the messages the access pages show after a redirect, by code (no text from the URL reaches a page).
var accessFlashes = map[string]views.FlashData{
	"reservation-created":   {Kind: "ok", Message: "The reservation was created; its code is being set on the property's locks."},
	"reservation-saved":     {Kind: "ok", Message: "The reservation was saved; its code follows the new times."},
	"reservation-cancelled": {Kind: "ok", Message: "The reservation was cancelled; its code is being removed from the locks."},
	"invitation-created":    {Kind: "ok", Message: "The invitation was sent; the resident's code is being set on the locks."},
	"invitation-saved":      {Kind: "ok", Message: "The invitation was saved; the resident's code follows the new dates."},
	"link-revoked":          {Kind: "ok", Message: "The guest link was revoked; its code is being removed from the locks."},
}

// meta is pageMeta plus the access flash messages.
func (a *stayPages) meta(r *http.Request, title, nav string) views.PageMeta {
	m := pageMeta(r, title, nav)
	if f, ok := accessFlashes[r.URL.Query().Get("flash")]; ok {
		m.Flash = append(m.Flash, f)
	}
	return m
}

// failForm logs and audits an upstream refusal of a form, and returns the status and message the form shows.
func (a *stayPages) failForm(r *http.Request, err error, rec auditRecord) (int, string) {
	status, msg := upstreamProblem(err)
	a.Logger.LogAttrs(r.Context(), slog.LevelWarn, "upstream refused access change", slog.String("action", rec.action),
		slog.String("target", rec.targetID), slog.Any("err", err))
	rec.outcome, rec.detail = db.OutcomeFailed, msg
	audit(r, a.Store, a.Logger, rec)
	return status, msg
}

func handleReservationNew(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.URL.Query().Get("property_id"))
		if err != nil {
			return notFound()
		}
		p, err := a.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		form := views.ReservationFormData{Action: "/reservations", PropertyID: strconv.FormatInt(p.ID, 10),
			PropertyName: p.Name, TimeZone: p.TimeZone, BufferBefore: defaultStayBuffer, BufferAfter: defaultStayBuffer}
		return render(w, r, http.StatusOK, views.ReservationFormPage(a.meta(r, "New reservation", views.NavProperties), form))
	})
}

// handleReservationCreate creates the reservation upstream (which makes its code), then mirrors and audits it.
func handleReservationCreate(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		in, form, probs := a.parseReservationForm(r, nil)
		form.Action, form.PropertyName, form.TimeZone = "/reservations", in.property.Name, in.property.TimeZone
		meta := a.meta(r, "New reservation", views.NavProperties)
		if len(probs) > 0 {
			form.Errors = probs
			return render(w, r, http.StatusUnprocessableEntity, views.ReservationFormPage(meta, form))
		}
		pid := in.property.ID
		req := in.request()
		req.PropertyID = &pid
		m, err := a.Stays.CreateReservation(r.Context(), req, currentUser(r.Context()).user.ID)
		switch {
		case errors.Is(err, stays.ErrNotRecorded):
			return err
		case err != nil:
			status, msg := a.failForm(r, err, auditRecord{action: "reservation.create", targetType: "reservation", propertyID: &pid})
			form.Errors = []string{msg}
			return render(w, r, status, views.ReservationFormPage(meta, form))
		}
		audit(r, a.Store, a.Logger, auditRecord{action: "reservation.create", targetType: "reservation",
			targetID: strconv.FormatInt(m.ID, 10), propertyID: &pid, outcome: db.OutcomeOK,
			detail: "stay " + stays.SpanText(m.CheckIn, m.CheckOut, tz.Load(in.property.TimeZone))})
		redirect(w, r, reservationURL(m.ID)+"?flash=reservation-created")
		return nil
	})
}

func reservationURL(id int64) string { return "/reservations/" + strconv.FormatInt(id, 10) }

// loadReservation reads the path's reservation and its property from the mirror.
func (a *stayPages) loadReservation(r *http.Request) (db.Reservation, db.Property, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return db.Reservation{}, db.Property{}, notFound()
	}
	res, err := a.Store.Reservation(r.Context(), id)
	if err != nil {
		return db.Reservation{}, db.Property{}, err
	}
	p, err := a.Store.Property(r.Context(), res.PropertyID)
	return res, p, err
}

func handleReservation(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		res, p, err := a.loadReservation(r)
		if err != nil {
			return err
		}
		data, err := a.reservationPage(r, res, p, nil)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ReservationPage(a.meta(r, res.GuestName, views.NavProperties), data))
	})
}

// handleReservationUpdate re-times or edits a reservation upstream (its code follows), then mirrors and audits it.
func handleReservationUpdate(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		res, p, err := a.loadReservation(r)
		if err != nil {
			return err
		}
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		in, form, probs := a.parseReservationForm(r, &p)
		if res.Status == db.ReservationCancelled {
			probs = append(probs, "This reservation is cancelled and can no longer be changed.")
		}
		status := http.StatusUnprocessableEntity
		if len(probs) == 0 {
			m, err := a.Stays.UpdateReservation(r.Context(), res, in.request())
			if err == nil {
				return a.savedReservation(w, r, res, m, p)
			}
			if errors.Is(err, stays.ErrNotRecorded) {
				return err
			}
			var msg string
			status, msg = a.failForm(r, err, auditRecord{action: "reservation.update", targetType: "reservation",
				targetID: strconv.FormatInt(res.ID, 10), propertyID: &p.ID})
			probs = []string{msg}
		}
		form.Errors = probs
		data, err := a.reservationPage(r, res, p, &form)
		if err != nil {
			return err
		}
		return render(w, r, status, views.ReservationPage(a.meta(r, res.GuestName, views.NavProperties), data))
	})
}

// savedReservation audits a saved change and sends the browser back to the reservation.
func (a *stayPages) savedReservation(w http.ResponseWriter, r *http.Request, old, m db.Reservation, p db.Property) error {
	id := m.ID
	loc := tz.Load(p.TimeZone)
	audit(r, a.Store, a.Logger, auditRecord{action: "reservation.update", targetType: "reservation",
		targetID: strconv.FormatInt(id, 10), propertyID: &p.ID, outcome: db.OutcomeOK,
		detail: "stay " + stays.SpanText(old.CheckIn, old.CheckOut, loc) + " → " + stays.SpanText(m.CheckIn, m.CheckOut, loc)})
	redirect(w, r, reservationURL(id)+"?flash=reservation-saved")
	return nil
}

// handleReservationCancel cancels upstream (which removes the code from every lock), then mirrors and audits it.
func handleReservationCancel(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		res, p, err := a.loadReservation(r)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "reservation.cancel", targetType: "reservation", targetID: strconv.FormatInt(res.ID, 10), propertyID: &p.ID}
		if res.Status != db.ReservationCancelled {
			err := a.Stays.CancelReservation(r.Context(), res)
			if errors.Is(err, stays.ErrNotRecorded) {
				return err
			}
			if err != nil {
				status, msg := a.failForm(r, err, rec)
				data, derr := a.reservationPage(r, res, p, nil)
				if derr != nil {
					return derr
				}
				meta := a.meta(r, res.GuestName, views.NavProperties)
				meta.Flash = append(meta.Flash, views.FlashData{Kind: "error", Message: msg})
				return render(w, r, status, views.ReservationPage(meta, data))
			}
			rec.outcome = db.OutcomeOK
			audit(r, a.Store, a.Logger, rec)
		}
		redirect(w, r, reservationURL(res.ID)+"?flash=reservation-cancelled")
		return nil
	})
}
