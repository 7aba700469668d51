// Package alerts decides when a condition of the hardware becomes an alert record, when a record is only a repeat
// of one already open (a flap), and when it is over. It hears webhook observations, re-reads the mirror after each
// sync, watches offline hubs through their grace period, and carries out what people do to alerts (acknowledge,
// resolve). Who is told, and how, is domain/notify's business: it implements Notifier.
package alerts

import (
	"context"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
)

// Notifier is told of alert lifecycle changes (domain/notify implements it). Calls must not block.
type Notifier interface {
	Opened(ctx context.Context, a db.Alert)
	Acknowledged(ctx context.Context, a db.Alert)
	Resolved(ctx context.Context, a db.Alert)
}

// Notifiers tells each of its notifiers in turn (the notification dispatcher, the automations).
type Notifiers []Notifier

// Opened implements Notifier.
func (ns Notifiers) Opened(ctx context.Context, a db.Alert) {
	for _, n := range ns {
		n.Opened(ctx, a)
	}
}

// Acknowledged implements Notifier.
func (ns Notifiers) Acknowledged(ctx context.Context, a db.Alert) {
	for _, n := range ns {
		n.Acknowledged(ctx, a)
	}
}

// Resolved implements Notifier.
func (ns Notifiers) Resolved(ctx context.Context, a db.Alert) {
	for _, n := range ns {
		n.Resolved(ctx, a)
	}
}

// Publisher shows alert changes on the open pages; handlers renders the row and pushes it. Unlike Notifier it is
// also told of flaps, since the row shows their count.
type Publisher interface {
	// Listening reports whether any page listens: nothing is read back or rendered for nobody.
	Listening() bool
	// Alert is an alert as it is after a change; opened says it is new.
	Alert(ctx context.Context, a db.AlertView, opened bool)
}

// Config are a Service's collaborators. Store and Logger are required.
type Config struct {
	Store     *db.Store
	Logger    *slog.Logger
	Notifier  Notifier      // nil: nobody is told
	Publisher Publisher     // nil: pages see changes when they reload
	Every     time.Duration // how often Run checks offline hubs against their grace; default 30 s
}

// Service opens, bumps and resolves alert records. All its methods are safe for concurrent use; every decision is
// a database write, so several instances agree (the unique index makes a second open a flap).
type Service struct {
	store  *db.Store
	logger *slog.Logger
	notify Notifier
	pub    Publisher
	every  time.Duration

	// Now is the service's clock; tests move it through a grace period.
	Now func() time.Time
}

// New returns a Service.
func New(c Config) *Service {
	if c.Every <= 0 {
		c.Every = 30 * time.Second
	}
	return &Service{store: c.Store, logger: c.Logger, notify: c.Notifier, pub: c.Publisher, every: c.Every, Now: time.Now}
}

// Run reconciles everything once, then checks offline hubs every period until ctx ends. It is a cluster's once-only
// work: on PostgreSQL only the leader runs it.
func (s *Service) Run(ctx context.Context) {
	if err := s.Reconcile(ctx); err != nil && ctx.Err() == nil {
		s.logger.Error("alerts: reconcile failed", slog.Any("err", err))
	}
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.CheckHubs(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("alerts: hub check failed", slog.Any("err", err))
		}
	}
}

// raise opens or bumps r's alert and tells whom it concerns.
func (s *Service) raise(ctx context.Context, r db.AlertRaise) error {
	a, opened, err := s.store.RaiseAlert(ctx, r)
	if err != nil {
		return err
	}
	if opened {
		s.logger.Info("alert opened", slog.Int64("alert_id", a.ID), slog.String("kind", a.Kind),
			slog.String("hub_id", a.HubID), slog.String("device_id", a.DeviceID))
		if s.notify != nil {
			s.notify.Opened(ctx, a)
		}
	}
	s.publish(ctx, a, opened)
	return nil
}

// clear resolves the unresolved alert of a subject and kind, if there is one. It asks the read pool first: most
// clearing events (a lock turning, a heartbeat) find nothing to clear, and must not queue on the writer.
func (s *Service) clear(ctx context.Context, hubID, deviceID, kind string) error {
	if _, err := s.store.UnresolvedAlert(ctx, hubID, deviceID, kind); err != nil {
		return ignoreNotFound(err)
	}
	a, err := s.store.ClearAlert(ctx, hubID, deviceID, kind, s.Now())
	if err != nil {
		return ignoreNotFound(err) // cleared meanwhile, by another instance or a person
	}
	s.resolved(ctx, a)
	return nil
}

// resolved tells whom it concerns that a is over.
func (s *Service) resolved(ctx context.Context, a db.Alert) {
	s.logger.Info("alert resolved", slog.Int64("alert_id", a.ID), slog.String("kind", a.Kind),
		slog.Bool("by_hand", a.ResolvedBy != nil))
	if s.notify != nil {
		s.notify.Resolved(ctx, a)
	}
	s.publish(ctx, a, false)
}

// publish pushes a's row to the open pages, with its names read back.
func (s *Service) publish(ctx context.Context, a db.Alert, opened bool) {
	if s.pub == nil || !s.pub.Listening() {
		return
	}
	v, err := s.store.AlertView(ctx, a.ID)
	if err != nil {
		s.logger.Warn("alerts: read back for the live push", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return
	}
	s.pub.Alert(ctx, v, opened)
}
