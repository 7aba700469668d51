package smarthome

import (
	"context"
	"encoding/json"
	"net/http"
	"net/mail"
	"time"
)

// InvitationsService handles resident invitations and move-out.
type InvitationsService service

// MoveOutAll is the email that moves every resident out of a property and ends the lease.
const MoveOutAll = "all"

// Invitation is a resident invitation [INF object shape].
type Invitation struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	PropertyID int64     `json:"property_id"`
	FromTime   string    `json:"from_time"` // InvitationDateLayout
	ToTime     *string   `json:"to_time"`   // nil: open-ended
	Status     string    `json:"status"`    // "active" or "removed"
	LockCodeID string    `json:"lock_code_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// InvitationRequest invites a resident to a property from From (a calendar date, read in its own location) to
// To (zero: open-ended).
type InvitationRequest struct {
	Email      string
	Name       string
	PropertyID int64
	From       time.Time
	To         time.Time
}

// MarshalJSON writes the documented body with MM/DD/YYYY dates (sent as strings [INF]).
func (r InvitationRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Email      string `json:"email"`
		Name       string `json:"name,omitempty"`
		PropertyID int64  `json:"property_id"`
		FromTime   string `json:"from_time,omitempty"`
		ToTime     string `json:"to_time,omitempty"`
	}{r.Email, r.Name, r.PropertyID, invitationDate(r.From), invitationDate(r.To)})
}

func invitationDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(InvitationDateLayout)
}

// Validate checks the email, the property and the order of the dates.
func (r InvitationRequest) Validate() error {
	if _, err := mail.ParseAddress(r.Email); err != nil {
		return validationError("email is not an email address")
	}
	if r.PropertyID <= 0 {
		return validationError("property_id is required")
	}
	if !r.From.IsZero() && !r.To.IsZero() && civilDays(r.From, r.To) < 0 {
		return validationError("to date must not be before from date")
	}
	return nil
}

// InvitationResult is the reply to Create.
type InvitationResult struct {
	Message      string `json:"message"`       // "Invitation mail has been sent to <email>."
	InvitationID int64  `json:"invitation_id"` // [INF]
}

// Create invites a resident by email; the resident gets a lock code for the invitation's window.
//
// API: POST /api/v2/invitations [DOC D-invite]
func (s *InvitationsService) Create(ctx context.Context, r InvitationRequest) (*InvitationResult, *Response, error) {
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	res := new(InvitationResult)
	resp, err := s.client.send(ctx, http.MethodPost, path(nil, "v2", "invitations"), r, res)
	return nilOnErr(res, err), resp, err
}

// InvitationListOptions filters and pages List.
type InvitationListOptions struct {
	PropertyID int64
	Email      string
	SearchKey  string
	Page       int
	PerPage    int
}

// List returns one page of invitations.
//
// API: GET /api/v2/invitations [exists DOC D-overview; path INF]
func (s *InvitationsService) List(ctx context.Context, opts InvitationListOptions) ([]Invitation, *Response, error) {
	q, err := (&ListOptions{SearchKey: opts.SearchKey, Page: opts.Page, PerPage: opts.PerPage}).values()
	if err != nil {
		return nil, nil, err
	}
	setInt(q, "property_id", opts.PropertyID)
	setString(q, "email", opts.Email)
	var page struct {
		Invitations []Invitation `json:"invitations"`
	}
	resp, err := s.client.get(ctx, path(q, "v2", "invitations"), &page)
	return page.Invitations, resp, err
}

// InvitationUpdate changes an invitation; nil fields are not sent.
type InvitationUpdate struct {
	Name *string
	From *time.Time
	To   *time.Time
}

// MarshalJSON writes MM/DD/YYYY dates.
func (u InvitationUpdate) MarshalJSON() ([]byte, error) {
	date := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		return Ptr(t.Format(InvitationDateLayout))
	}
	return json.Marshal(struct {
		Name     *string `json:"name,omitempty"`
		FromTime *string `json:"from_time,omitempty"`
		ToTime   *string `json:"to_time,omitempty"`
	}{u.Name, date(u.From), date(u.To)})
}

// Update changes an invitation.
//
// API: PUT /api/v2/invitations/{id} [exists DOC D-overview; path INF]
func (s *InvitationsService) Update(ctx context.Context, id int64, u InvitationUpdate) (*Invitation, *Response, error) {
	if u.Name == nil && u.From == nil && u.To == nil {
		return nil, nil, validationError("invitation update sets no field")
	}
	if u.From != nil && u.To != nil && civilDays(*u.From, *u.To) < 0 {
		return nil, nil, validationError("to date must not be before from date")
	}
	inv := new(Invitation)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "v2", "invitations", itoa(id)), u, inv)
	return nilOnErr(inv, err), resp, err
}

// MoveOut removes the resident with email from a property, deleting their lock codes; MoveOutAll moves
// everyone out. It is a DELETE with a JSON body, as documented.
//
// API: DELETE /api/properties/{id}/remove_invitations [DOC D-moveout]
func (s *InvitationsService) MoveOut(ctx context.Context, propertyID int64, email string) (*Response, error) {
	if email == "" {
		return nil, validationError("email is required (or MoveOutAll)")
	}
	body := map[string]string{"email": email}
	return s.client.send(ctx, http.MethodDelete, path(nil, "properties", itoa(propertyID), "remove_invitations"), body, nil)
}
