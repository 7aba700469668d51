// Package automations is what a property's alerts do by themselves beside telling people: today one, a leak
// closing the property's water valves. Each is off until an admin turns it on for the property, and each time one
// fires it is audited, with the command records it sent, as a person's command would be.
package automations

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/upstream"
)

// Actor is who the audit log and the command history name for what an automation did.
const Actor = "automation"

// sendTimeout bounds one automation's upstream calls and record writes.
const sendTimeout = 30 * time.Second

// Tracker is told when a command record was created, so it starts watching for its confirmation.
type Tracker interface{ Track() }

// Service runs the automations. It implements alerts.Notifier: it is told of alerts as the notifications are.
type Service struct {
	store    *db.Store
	upstream *upstream.API
	tracker  Tracker
	logger   *slog.Logger
	wg       sync.WaitGroup
}

// New returns the automations over store, sending through up; tracker may be nil.
func New(store *db.Store, up *upstream.API, tracker Tracker, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, upstream: up, tracker: tracker, logger: logger.With(slog.String("component", "automations"))}
}

// Opened runs what the alert's property asks for. It returns at once: the upstream calls run on their own, so a
// slow Smart Home service never holds up the webhook projection that opened the alert.
func (s *Service) Opened(ctx context.Context, a db.Alert) {
	if a.Kind != db.AlertLeak || a.PropertyID == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		defer cancel()
		if err := s.closeValves(ctx, a); err != nil {
			s.logger.Error("automation: close valves", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		}
	}()
}

// Acknowledged implements alerts.Notifier; no automation waits on a person.
func (s *Service) Acknowledged(context.Context, db.Alert) {}

// Resolved implements alerts.Notifier; nothing reopens a valve by itself: water back on is a person's decision.
func (s *Service) Resolved(context.Context, db.Alert) {}

// Wait returns once every automation started so far has finished (tests, shutdown).
func (s *Service) Wait() { s.wg.Wait() }

func (s *Service) closeValves(ctx context.Context, a db.Alert) error {
	auto, err := s.store.PropertyAutomations(ctx, *a.PropertyID)
	if err != nil || !auto.LeakClosesValve {
		return err
	}
	devs, err := s.store.DevicesByProperty(ctx, *a.PropertyID)
	if err != nil {
		return err
	}
	spec := commands.Spec{Action: commands.ActClose}
	found := false
	for _, dev := range devs {
		if dev.Type != "valve_controller" {
			continue
		}
		found = true
		if err := s.closeValve(ctx, a, dev, spec); err != nil {
			return err
		}
	}
	if !found {
		s.audit(ctx, a, db.AuditEntry{TargetType: "property", TargetID: strconv.FormatInt(*a.PropertyID, 10),
			Outcome: db.OutcomeFailed, Detail: fmt.Sprintf("Leak alert %d: no valve controller at the property to close", a.ID)})
	}
	if found && s.tracker != nil {
		s.tracker.Track()
	}
	return nil
}

func (s *Service) closeValve(ctx context.Context, a db.Alert, dev db.Device, spec commands.Spec) error {
	cmd, err := spec.Wire(dev.Type)
	if err != nil {
		return err
	}
	rec, err := s.store.CreateCommand(ctx, db.Command{HubID: dev.HubID, DeviceID: dev.ID, PropertyID: dev.PropertyID,
		UserEmail: Actor, Action: spec.Action, Command: spec.JSON()})
	if err != nil {
		return err
	}
	entry := db.AuditEntry{TargetType: "device", TargetID: dev.ID, Outcome: db.OutcomeOK,
		Detail: fmt.Sprintf("Leak alert %d: %s sent to the valve (command %d)", a.ID, spec.Label(), rec.ID)}
	if sendErr := s.upstream.SendDeviceCommand(ctx, dev.ID, cmd); sendErr != nil {
		reason := "The Smart Home service refused it: " + upstream.Message(sendErr)
		if _, _, err := s.store.FinishCommand(ctx, rec.ID, db.CommandFailed, reason, "", time.Time{}); err != nil {
			return err
		}
		entry.Outcome, entry.Detail = db.OutcomeFailed, entry.Detail+": "+reason
	}
	s.logger.Info("automation: leak closes valve", slog.Int64("alert_id", a.ID), slog.String("device_id", dev.ID),
		slog.String("outcome", entry.Outcome))
	s.audit(ctx, a, entry)
	return nil
}

func (s *Service) audit(ctx context.Context, a db.Alert, e db.AuditEntry) {
	e.At, e.Action, e.UserEmail, e.PropertyID = time.Now().UTC(), "automation.leak_close_valve", Actor, a.PropertyID
	if err := s.store.Audit(ctx, e); err != nil {
		s.logger.Error("automation: audit", slog.Int64("alert_id", a.ID), slog.Any("err", err))
	}
}
