package stays

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// ErrNoCode is why a reservation's code cannot be revealed: it was cancelled (its code removed), or the property
// had no lock when it was made.
var ErrNoCode = errors.New("stays: the reservation has no code")

// HasCode reports whether a reservation has a code on the locks: not cancelled, and made while the property had a
// lock.
func HasCode(res db.Reservation) bool {
	return res.Status != db.ReservationCancelled && res.LockCodeID != ""
}

// CodeWindow is when a reservation's code works: the stay widened by its buffers before check-in and after
// check-out.
func CodeWindow(res db.Reservation) (from, to time.Time) {
	return res.CheckIn.Add(-time.Duration(res.BufferBeforeMinutes) * time.Minute),
		res.CheckOut.Add(time.Duration(res.BufferAfterMinutes) * time.Minute)
}

// CreateReservation creates the reservation upstream (which makes its code on the property's locks), then mirrors
// it as made by user by. A failure after the upstream step is ErrNotRecorded.
func (s *Service) CreateReservation(ctx context.Context, req smarthome.ReservationRequest, by int64) (db.Reservation, error) {
	res, err := s.up.CreateReservation(ctx, req)
	if err != nil {
		return db.Reservation{}, err
	}
	m := MirrorReservation(*res)
	m.CreatedBy, m.SyncedAt = &by, s.now()
	if err := s.store.UpsertReservation(ctx, m); err != nil {
		return m, fmt.Errorf("%w: reservation %d: %w", ErrNotRecorded, m.ID, err)
	}
	return m, nil
}

// UpdateReservation re-times or edits a reservation upstream (its code follows), then mirrors it. A failure after
// the upstream step is ErrNotRecorded.
func (s *Service) UpdateReservation(ctx context.Context, old db.Reservation, req smarthome.ReservationRequest) (db.Reservation, error) {
	updated, err := s.up.UpdateReservation(ctx, old.ID, req)
	if err != nil {
		return db.Reservation{}, err
	}
	m := MirrorReservation(*updated)
	m.SyncedAt = s.now()
	if err := s.store.UpsertReservation(ctx, m); err != nil {
		return m, fmt.Errorf("%w: reservation %d: %w", ErrNotRecorded, m.ID, err)
	}
	s.codes.Forget(old.LockCodeID)
	return m, nil
}

// CancelReservation cancels upstream (which removes the code from every lock), then marks the mirror's copy
// cancelled. A failure after the upstream step is ErrNotRecorded.
func (s *Service) CancelReservation(ctx context.Context, res db.Reservation) error {
	if err := s.up.CancelReservation(ctx, res.ID); err != nil {
		return err
	}
	if err := s.store.SetReservationStatus(ctx, res.ID, db.ReservationCancelled, s.now()); err != nil {
		return fmt.Errorf("%w: reservation %d: %w", ErrNotRecorded, res.ID, err)
	}
	s.codes.Forget(res.LockCodeID)
	return nil
}

// RevealReservationCode reads a reservation's PIN from the upstream; it is never stored. ErrNoCode when it has
// none; other errors are the upstream's.
func (s *Service) RevealReservationCode(ctx context.Context, res db.Reservation) (string, error) {
	if !HasCode(res) {
		return "", ErrNoCode
	}
	up, err := s.up.Reservation(ctx, res.ID)
	if err != nil {
		return "", err
	}
	return up.Code.Reveal(), nil
}
