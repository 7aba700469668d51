package alerts

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
)

// MaxNoteLen bounds an acknowledgement's note, in characters: enough for "plumber booked for 9:00, key in lockbox".
const MaxNoteLen = 500

// ErrNoteTooLong is returned for a note over MaxNoteLen characters.
var ErrNoteTooLong = errors.New("alerts: note over 500 characters")

// Acknowledge records that userID is on the alert, with an optional note. An alert that is not open is
// db.ErrConflict (someone else was first, or it is over), an unknown one db.ErrNotFound.
func (s *Service) Acknowledge(ctx context.Context, id, userID int64, note string) (db.Alert, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteLen {
		return db.Alert{}, ErrNoteTooLong
	}
	a, err := s.store.AcknowledgeAlert(ctx, id, userID, note, s.Now())
	if err != nil {
		return db.Alert{}, err
	}
	s.logger.Info("alert acknowledged", slog.Int64("alert_id", a.ID), slog.Int64("user_id", userID))
	if s.notify != nil {
		s.notify.Acknowledged(ctx, a)
	}
	s.publish(ctx, a, false)
	return a, nil
}

// Resolve closes an open or acknowledged alert by hand. If its condition is still there, the next report opens a
// new alert: resolving by hand says "dealt with", not "ignore this device". A resolved alert is db.ErrConflict.
func (s *Service) Resolve(ctx context.Context, id, userID int64) (db.Alert, error) {
	a, err := s.store.ResolveAlert(ctx, id, userID, s.Now())
	if err != nil {
		return db.Alert{}, err
	}
	s.resolved(ctx, a)
	return a, nil
}
