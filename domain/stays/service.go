// Package stays holds the rules of who may enter a property and when, apart from hand-made lock codes: guests'
// reservations, residents' invitations, the self-tour links staff give a visitor, and move-outs that take residents'
// access away. Changes go to the Smart Home service first and are then mirrored; the mirror is re-read from the
// upstream when it is older than RefreshAfter.
package stays

import (
	"errors"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
)

// Limits of the stays features.
const (
	RefreshAfter = 30 * time.Second // a property's reservations and invitations are re-read when older
	RefreshWait  = 3 * time.Second  // how long a re-read waits for the upstream before the mirror is shown
	CodeStateTTL = 2 * time.Second  // per-lock code states are cached this long (progress views poll)
)

// ErrNotRecorded marks a failure of the dashboard's own store after (or instead of) the upstream step: the
// Smart Home service did what was asked, or was put back, but the mirror does not show it. It is a server error,
// not a refusal a form could explain.
var ErrNotRecorded = errors.New("stays: not recorded in the dashboard")

// Options are a Service's settings.
type Options struct {
	Now func() time.Time // the clock (UTC); nil is the wall clock. Tests move it.
}

// Service is what the reservation, invitation, guest-link and move-out pages share: the store, the upstream, a
// clock, the short cache of lock-code states and the guest-link rate limits. One per server, so the caches and
// limits are shared by every request.
type Service struct {
	logger *slog.Logger
	store  *db.Store
	up     *upstream.API
	now    func() time.Time
	codes  *CodeStates
	limits *GuestLimits
}

// NewService returns the stays service of a server.
func NewService(logger *slog.Logger, store *db.Store, up *upstream.API, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{logger: logger, store: store, up: up, now: opts.Now, codes: NewCodeStates(CodeStateTTL),
		limits: NewGuestLimits(store)}
}

// Now is the service's clock, so pages compare against the same time the rules use.
func (s *Service) Now() time.Time { return s.now() }

// Limits are the guest pages' rate limits.
func (s *Service) Limits() *GuestLimits { return s.limits }
