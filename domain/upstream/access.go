package upstream

import (
	"context"
	"errors"

	"github.com/keyless/dashboard/smarthome"
)

// accessListPages bounds how many pages of 100 one access refresh reads (10,000 rows): a larger list is read in
// part and never used to delete mirrored rows.
const accessListPages = 100

// ErrListCapped reports a list longer than accessListPages pages.
var ErrListCapped = errors.New("upstream: list longer than the refresh reads")

// CreateReservation creates a reservation; the upstream creates its lock code on every lock of the property.
func (u *API) CreateReservation(ctx context.Context, req smarthome.ReservationRequest) (*smarthome.Reservation, error) {
	r, _, err := u.c.Reservations.Create(ctx, req)
	return r, u.fail(ctx, "CreateReservation", err)
}

// UpdateReservation changes a reservation; the upstream re-times (or re-codes) its lock code.
func (u *API) UpdateReservation(ctx context.Context, id int64, req smarthome.ReservationRequest) (*smarthome.Reservation, error) {
	r, _, err := u.c.Reservations.Update(ctx, id, req)
	return r, u.fail(ctx, "UpdateReservation", err)
}

// CancelReservation cancels a reservation; the upstream deletes its lock code.
func (u *API) CancelReservation(ctx context.Context, id int64) error {
	_, err := u.c.Reservations.Delete(ctx, id)
	return u.fail(ctx, "CancelReservation", err)
}

// Reservation reads one reservation, with its PIN.
func (u *API) Reservation(ctx context.Context, id int64) (*smarthome.Reservation, error) {
	r, _, err := u.c.Reservations.Get(ctx, id)
	return r, u.fail(ctx, "Reservation", err)
}

// ReservationsOf reads every reservation of a property.
func (u *API) ReservationsOf(ctx context.Context, propertyID int64) ([]smarthome.Reservation, error) {
	out, err := readAllPages(func(page int) ([]smarthome.Reservation, *smarthome.Response, error) {
		return u.c.Reservations.List(ctx, smarthome.ReservationListOptions{PropertyID: propertyID, Page: page, PerPage: 100})
	})
	return out, u.fail(ctx, "ReservationsOf", err)
}

// CreateInvitation invites a resident and returns the new invitation's id.
func (u *API) CreateInvitation(ctx context.Context, req smarthome.InvitationRequest) (int64, error) {
	res, _, err := u.c.Invitations.Create(ctx, req)
	if err != nil {
		return 0, u.fail(ctx, "CreateInvitation", err)
	}
	return res.InvitationID, nil
}

// UpdateInvitation changes an invitation's name or dates; the resident's lock code follows.
func (u *API) UpdateInvitation(ctx context.Context, id int64, upd smarthome.InvitationUpdate) (*smarthome.Invitation, error) {
	inv, _, err := u.c.Invitations.Update(ctx, id, upd)
	return inv, u.fail(ctx, "UpdateInvitation", err)
}

// InvitationsOf reads every invitation of a property (of one resident when email is set).
func (u *API) InvitationsOf(ctx context.Context, propertyID int64, email string) ([]smarthome.Invitation, error) {
	out, err := readAllPages(func(page int) ([]smarthome.Invitation, *smarthome.Response, error) {
		return u.c.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: propertyID, Email: email,
			Page: page, PerPage: 100})
	})
	return out, u.fail(ctx, "InvitationsOf", err)
}

// AllInvitations reads invitations across every property; ErrListCapped comes with the part it read.
func (u *API) AllInvitations(ctx context.Context) ([]smarthome.Invitation, error) {
	out, err := readAllPages(func(page int) ([]smarthome.Invitation, *smarthome.Response, error) {
		return u.c.Invitations.List(ctx, smarthome.InvitationListOptions{Page: page, PerPage: 100})
	})
	return out, u.fail(ctx, "AllInvitations", err)
}

// MoveOut removes a resident (or smarthome.MoveOutAll) from a property; their lock codes are deleted.
func (u *API) MoveOut(ctx context.Context, propertyID int64, email string) error {
	_, err := u.c.Invitations.MoveOut(ctx, propertyID, email)
	return u.fail(ctx, "MoveOut", err)
}

// CodeState reads a lock code with its per-lock states (and its PIN: callers drop it unless they show it).
func (u *API) CodeState(ctx context.Context, id string) (*smarthome.LockCode, error) {
	lc, _, err := u.c.LockCodes.Get(ctx, id)
	return lc, u.fail(ctx, "CodeState", err)
}

// CreateTourCode creates a guest's lock code on the locks the request targets.
func (u *API) CreateTourCode(ctx context.Context, req smarthome.LockCodeRequest) (*smarthome.LockCode, error) {
	lc, _, err := u.c.LockCodes.Create(ctx, req)
	return lc, u.fail(ctx, "CreateTourCode", err)
}

// DeleteTourCode removes a guest's lock code from its locks; a code the upstream no longer has counts as removed.
func (u *API) DeleteTourCode(ctx context.Context, id string) error {
	_, err := u.c.LockCodes.Delete(ctx, id)
	if errors.Is(err, smarthome.ErrNotFound) {
		return nil
	}
	return u.fail(ctx, "DeleteTourCode", err)
}

// GuestUnlock sends the unlock command to one lock.
func (u *API) GuestUnlock(ctx context.Context, deviceID string) error {
	_, err := u.c.Devices.Command(ctx, deviceID, smarthome.LockCommand(false))
	return u.fail(ctx, "GuestUnlock", err)
}

// readAllPages reads the pages of a list until it is complete, or accessListPages pages.
func readAllPages[T any](list func(page int) ([]T, *smarthome.Response, error)) ([]T, error) {
	var out []T
	for page := 1; page <= accessListPages; page++ {
		items, resp, err := list(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) == 0 || resp == nil || len(out) >= resp.TotalRecords {
			return out, nil
		}
	}
	return out, ErrListCapped
}
