package smarthome

import (
	"context"
	"encoding/json"
	"net/http"
	"net/mail"
	"time"
	"unicode/utf8"
)

// ReservationsService handles /reservations. Every route and field is our contract [INF].
type ReservationsService service

// Reservation limits enforced before sending.
const (
	MaxGuestNameLength = 100
	MaxBufferMinutes   = 1440
)

// Reservation is a guest stay; creating one creates a Specific Period lock code on every lock of the property,
// from CheckIn − BufferBefore to CheckOut + BufferAfter.
type Reservation struct {
	ID                  int64     `json:"id"`
	PropertyID          int64     `json:"property_id"`
	GuestName           string    `json:"guest_name"`
	GuestEmail          string    `json:"guest_email"`
	GuestPhone          string    `json:"guest_phone"`
	CheckIn             time.Time `json:"check_in"`
	CheckOut            time.Time `json:"check_out"`
	Code                PIN       `json:"code"`
	BufferBeforeMinutes int       `json:"buffer_before_minutes"`
	BufferAfterMinutes  int       `json:"buffer_after_minutes"`
	LockCodeID          string    `json:"lock_code_id"`
	Status              string    `json:"status"` // "confirmed", "cancelled"
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// ReservationRequest creates or updates a reservation; nil fields are not sent. Create needs PropertyID,
// GuestName, CheckIn and CheckOut; Code is generated (6 digits) when nil. Update refuses PropertyID.
type ReservationRequest struct {
	PropertyID          *int64
	GuestName           *string
	GuestEmail          *string
	GuestPhone          *string
	CheckIn             *time.Time
	CheckOut            *time.Time
	Code                *PIN
	BufferBeforeMinutes *int
	BufferAfterMinutes  *int
}

// MarshalJSON writes times as RFC 3339 UTC, as the contract fixes.
func (r ReservationRequest) MarshalJSON() ([]byte, error) {
	utc := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		return Ptr(t.UTC().Format(time.RFC3339))
	}
	return json.Marshal(struct {
		PropertyID          *int64  `json:"property_id,omitempty"`
		GuestName           *string `json:"guest_name,omitempty"`
		GuestEmail          *string `json:"guest_email,omitempty"`
		GuestPhone          *string `json:"guest_phone,omitempty"`
		CheckIn             *string `json:"check_in,omitempty"`
		CheckOut            *string `json:"check_out,omitempty"`
		Code                *PIN    `json:"code,omitempty"`
		BufferBeforeMinutes *int    `json:"buffer_before_minutes,omitempty"`
		BufferAfterMinutes  *int    `json:"buffer_after_minutes,omitempty"`
	}{r.PropertyID, r.GuestName, r.GuestEmail, r.GuestPhone, utc(r.CheckIn), utc(r.CheckOut), r.Code,
		r.BufferBeforeMinutes, r.BufferAfterMinutes})
}

// validate checks the fields that are set; create additionally requires the core fields.
func (r ReservationRequest) validate(create bool) error {
	if create && (r.PropertyID == nil || r.GuestName == nil || r.CheckIn == nil || r.CheckOut == nil) {
		return validationError("a reservation needs property_id, guest_name, check_in and check_out")
	}
	if !create && r == (ReservationRequest{}) {
		return validationError("reservation update sets no field")
	}
	if !create && r.PropertyID != nil {
		// CONTRACT.md has no move: the upstream would keep the reservation and its lock code where they are.
		return validationError("property_id cannot be changed: cancel the reservation and create one at the other property")
	}
	if r.GuestName != nil {
		if n := utf8.RuneCountInString(*r.GuestName); n < 1 || n > MaxGuestNameLength {
			return validationError("guest_name must be 1 to %d characters", MaxGuestNameLength)
		}
	}
	if r.GuestEmail != nil && *r.GuestEmail != "" {
		if _, err := mail.ParseAddress(*r.GuestEmail); err != nil {
			return validationError("guest_email is not an email address")
		}
	}
	if r.CheckIn != nil && r.CheckOut != nil && !r.CheckOut.After(*r.CheckIn) {
		return validationError("check_out must be after check_in")
	}
	for _, b := range []*int{r.BufferBeforeMinutes, r.BufferAfterMinutes} {
		if b != nil && (*b < 0 || *b > MaxBufferMinutes) {
			return validationError("buffer of %d minutes outside 0–%d", *b, MaxBufferMinutes)
		}
	}
	if r.Code != nil && !validPIN(*r.Code) {
		return validationError("code must be 4 to 8 digits")
	}
	return nil
}

// ReservationListOptions filters and pages List.
type ReservationListOptions struct {
	PropertyID int64
	Page       int
	PerPage    int
}

// List returns one page of reservations.
//
// API: GET /api/reservations [exists DOC D-overview; path INF]
func (s *ReservationsService) List(ctx context.Context, opts ReservationListOptions) ([]Reservation, *Response, error) {
	q, err := (&ListOptions{Page: opts.Page, PerPage: opts.PerPage}).values()
	if err != nil {
		return nil, nil, err
	}
	setInt(q, "property_id", opts.PropertyID)
	var page struct {
		Reservations []Reservation `json:"reservations"`
	}
	resp, err := s.client.get(ctx, path(q, "reservations"), &page)
	return page.Reservations, resp, err
}

// Get returns one reservation.
//
// API: GET /api/reservations/{id} [exists DOC D-overview; path INF]
func (s *ReservationsService) Get(ctx context.Context, id int64) (*Reservation, *Response, error) {
	r := new(Reservation)
	resp, err := s.client.get(ctx, path(nil, "reservations", itoa(id)), r)
	return nilOnErr(r, err), resp, err
}

// Create validates and creates a reservation (and its lock code).
//
// API: POST /api/reservations [exists DOC D-overview; path INF]
func (s *ReservationsService) Create(ctx context.Context, req ReservationRequest) (*Reservation, *Response, error) {
	return s.write(ctx, http.MethodPost, path(nil, "reservations"), req, true)
}

// Update validates and changes the fields set in req; the lock code is re-timed or re-coded with it. A reservation
// cannot move between properties, so a set PropertyID is refused with ErrValidation before anything is sent.
//
// API: PUT /api/reservations/{id} [exists DOC D-overview; path INF]
func (s *ReservationsService) Update(ctx context.Context, id int64, req ReservationRequest) (*Reservation, *Response, error) {
	return s.write(ctx, http.MethodPut, path(nil, "reservations", itoa(id)), req, false)
}

func (s *ReservationsService) write(ctx context.Context, method, p string, req ReservationRequest, create bool) (*Reservation, *Response, error) {
	if err := req.validate(create); err != nil {
		return nil, nil, err
	}
	r := new(Reservation)
	resp, err := s.client.send(ctx, method, p, req, r)
	var pin string
	if req.Code != nil {
		pin = req.Code.Reveal()
	}
	return nilOnErr(r, err), resp, scrub(err, pin)
}

// Delete cancels a reservation and deletes its lock code.
//
// API: DELETE /api/reservations/{id} [exists DOC D-overview; path INF]
func (s *ReservationsService) Delete(ctx context.Context, id int64) (*Response, error) {
	return s.client.send(ctx, http.MethodDelete, path(nil, "reservations", itoa(id)), nil, nil)
}
