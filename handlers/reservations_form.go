package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Field limits of the access forms.
const (
	maxAccessGuestName  = smarthome.MaxGuestNameLength // 100, the upstream's limit
	maxAccessEmail      = 254
	maxAccessPhone      = 32
	maxAccessStayDays   = 366
	maxAccessFieldBytes = 4 << 10 // any single field longer than this is refused before it is looked at
	defaultStayBuffer   = "60"    // minutes the code works before check-in and after check-out unless staff say otherwise
)

// parseAccessForm reads a form body of at most accessFormBytes.
func parseAccessForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, accessFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &httpError{http.StatusRequestEntityTooLarge, "The form is too large. Shorten the text and send it again.", err}
		}
		return badRequest("The form could not be read.", err)
	}
	return nil
}

// formProblems collects what is wrong with a form, in the order of its fields.
type formProblems []string

func (p *formProblems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// checkName validates a person's name: at most max characters, no control characters and no angle brackets,
// which no name has and which would be markup in the emails the upstream sends.
func (p *formProblems) checkName(label, s string, max int, required bool) {
	switch {
	case s == "" && required:
		p.add("%s is required.", label)
	case utf8.RuneCountInString(s) > max:
		p.add("%s must be at most %d characters.", label, max)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		p.add("%s contains characters that are not allowed.", label)
	case strings.ContainsAny(s, "<>"):
		p.add("%s cannot contain < or > (HTML is not allowed in names).", label)
	}
}

// checkEmail validates an email address (optional unless required).
func (p *formProblems) checkEmail(label, s string, required bool) {
	if s == "" {
		if required {
			p.add("%s is required.", label)
		}
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxAccessEmail || strings.ContainsAny(s, "<>\"") ||
		!strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		p.add("%s must be an email address like name@example.com.", label)
	}
}

// checkPhone validates an optional phone number: digits and the usual separators only.
func (p *formProblems) checkPhone(label, s string) {
	if s == "" {
		return
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			p.add("%s may contain only digits, spaces and + - ( ) .", label)
			return
		}
	}
	if len(s) > maxAccessPhone || digits < 5 {
		p.add("%s must be a phone number of 5 to %d characters.", label, maxAccessPhone)
	}
}

// checkText validates free text shown as plain text (arrival instructions): a length limit and no control
// characters other than line breaks and tabs. Markup is allowed and always shown as typed.
func (p *formProblems) checkText(label, s string, max int) {
	switch {
	case utf8.RuneCountInString(s) > max:
		p.add("%s must be at most %d characters.", label, max)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		p.add("%s contains characters that are not allowed.", label)
	}
}

// localTimeField reads a datetime-local field in loc, explaining a bad value or a time the clocks skip.
func (p *formProblems) localTimeField(label, s string, loc *time.Location) time.Time {
	t, err := stays.ParseLocalDateTime(s, loc)
	switch {
	case errors.Is(err, stays.ErrTimeGap):
		p.add("%s: %s does not exist in %s (the clocks skip that hour for daylight saving time). Choose another time.",
			label, strings.Replace(s, "T", " ", 1), loc)
	case err != nil:
		p.add("%s must be a date and time, like 2027-03-13 15:00.", label)
	}
	return t
}

// minutesField reads a whole number of minutes in 0..max.
func (p *formProblems) minutesField(label, s string, max int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > max {
		p.add("%s must be a whole number of minutes from 0 to %d.", label, max)
	}
	return n
}

// formProperty finds the form's property in the mirror; an unknown one is a form problem, not a missing page.
func (a *stayPages) formProperty(r *http.Request, p *formProblems) (db.Property, bool) {
	raw := strings.TrimSpace(r.PostForm.Get("property_id"))
	id, err := parseID(raw)
	if err == nil {
		prop, err := a.Store.Property(r.Context(), id)
		if err == nil {
			return prop, true
		}
		if !errors.Is(err, db.ErrNotFound) {
			p.add("The property could not be read; try again.")
			return db.Property{}, false
		}
	}
	p.add("Choose a property from the list: property %q is unknown.", clip.String(raw, 40))
	return db.Property{}, false
}

// reservationInput is a reservation form that passed validation.
type reservationInput struct {
	property                db.Property
	guestName, email, phone string
	checkIn, checkOut       time.Time
	before, after           int
}

// parseReservationForm validates the create or edit form. prop is the reservation's property when editing (the
// form cannot move a reservation); nil when creating, which reads property_id.
func (a *stayPages) parseReservationForm(r *http.Request, prop *db.Property) (reservationInput, views.ReservationFormData, formProblems) {
	f := r.PostForm
	form := views.ReservationFormData{GuestName: f.Get("guest_name"), GuestEmail: f.Get("guest_email"),
		GuestPhone: f.Get("guest_phone"), CheckIn: f.Get("check_in"), CheckOut: f.Get("check_out"),
		BufferBefore: f.Get("buffer_before"), BufferAfter: f.Get("buffer_after"), PropertyID: f.Get("property_id")}
	var p formProblems
	for _, k := range []string{"property_id", "guest_name", "guest_email", "guest_phone", "check_in", "check_out", "buffer_before", "buffer_after"} {
		if len(f.Get(k)) > maxAccessFieldBytes {
			p.add("The %s field is far too long.", strings.ReplaceAll(k, "_", " "))
			return reservationInput{}, emptyOversized(form), p
		}
	}
	in := reservationInput{guestName: strings.TrimSpace(form.GuestName), email: strings.TrimSpace(form.GuestEmail),
		phone: strings.TrimSpace(form.GuestPhone)}
	if prop != nil {
		in.property = *prop
	} else if got, ok := a.formProperty(r, &p); ok {
		in.property = got
	}
	loc := tz.Load(in.property.TimeZone)
	p.checkName("Guest name", in.guestName, maxAccessGuestName, true)
	p.checkEmail("Guest email", in.email, false)
	p.checkPhone("Guest phone", in.phone)
	in.checkIn = p.localTimeField("Check-in", form.CheckIn, loc)
	in.checkOut = p.localTimeField("Check-out", form.CheckOut, loc)
	if !in.checkIn.IsZero() && !in.checkOut.IsZero() {
		switch {
		case !in.checkOut.After(in.checkIn):
			p.add("Check-out must be after check-in.")
		case in.checkOut.Sub(in.checkIn) > maxAccessStayDays*24*time.Hour:
			p.add("A stay can last at most %d days.", maxAccessStayDays)
		case prop == nil && !in.checkOut.After(a.Stays.Now()):
			p.add("Check-out is in the past: a new reservation must end in the future.")
		}
	}
	in.before = p.minutesField("Minutes before check-in", form.BufferBefore, smarthome.MaxBufferMinutes)
	in.after = p.minutesField("Minutes after check-out", form.BufferAfter, smarthome.MaxBufferMinutes)
	return in, form, p
}

// emptyOversized drops every echoed value of a form that carried an oversized field, so the page stays small.
func emptyOversized(f views.ReservationFormData) views.ReservationFormData {
	return views.ReservationFormData{PropertyID: clip.String(f.PropertyID, 20)}
}

// request is the upstream body of a validated form.
func (in reservationInput) request() smarthome.ReservationRequest {
	return smarthome.ReservationRequest{GuestName: &in.guestName, GuestEmail: &in.email, GuestPhone: &in.phone,
		CheckIn: &in.checkIn, CheckOut: &in.checkOut, BufferBeforeMinutes: &in.before, BufferAfterMinutes: &in.after}
}
