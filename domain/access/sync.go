package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

// mirrorCode maps an upstream code onto its mirror row, sealing the PIN. propertyID is used when the upstream does
// not say; prev is the stored version, if any.
func (s *Service) mirrorCode(z *zones, lc *smarthome.LockCode, propertyID int64, prev *db.LockCode, checked time.Time) (db.LockCode, error) {
	if lc.PropertyID != nil {
		propertyID = *lc.PropertyID
	}
	v, err := ValidityFromUpstream(lc, z.hub(lc.HubID, propertyID), prev)
	if err != nil {
		return db.LockCode{}, err
	}
	sealed, err := s.sealer.seal(lc.ID, lc.Code)
	if err != nil {
		return db.LockCode{}, err
	}
	c := db.LockCode{ID: lc.ID, PropertyID: propertyID, HubID: lc.HubID, Name: lc.Name, CodeType: lc.CodeType,
		ValidityType: v.Kind, Schedule: v.ScheduleJSON(), PINSealed: sealed, CreatedAt: lc.CreatedAt.UTC(),
		UpdatedAt: lc.UpdatedAt.UTC(), SyncedAt: checked}
	if v.Kind == smarthome.ValiditySpecificPeriod {
		c.StartsAt, c.EndsAt = &v.Start, &v.End
	}
	for _, e := range lc.Devices {
		reported := e.UpdatedAt.UTC()
		if reported.IsZero() {
			reported = checked
		}
		c.Devices = append(c.Devices, db.LockCodeDevice{DeviceID: e.DeviceID, Status: e.Status, Slot: e.Slot,
			Error: e.Error, ReportedAt: reported, CheckedAt: checked})
	}
	return c, nil
}

// SyncProperty re-lists a property's codes from the upstream into the mirror, unless a sync of it started less
// than minGap ago (then it reports false). Changes are pushed live; codes in flight go to the tracker.
func (s *Service) SyncProperty(ctx context.Context, propertyID int64, minGap time.Duration) (bool, error) {
	if s.sealer == nil {
		return false, ErrNoKey
	}
	now := s.now().UTC()
	s.mu.Lock()
	if last, ok := s.lastSync[propertyID]; ok && now.Sub(last) < minGap {
		s.mu.Unlock()
		return false, nil
	}
	s.lastSync[propertyID] = now
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	codes, err := s.up.ListPropertyLockCodes(ctx, propertyID)
	if err != nil {
		s.forgetSync(propertyID) // let the next page load try again at once
		return false, fmt.Errorf("list lock codes of property %d: %w", propertyID, err)
	}
	before, err := s.store.LockCodesByProperty(ctx, propertyID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return false, err
	}
	prev := make(map[string]*db.LockCode, len(before))
	for i := range before {
		prev[before[i].ID] = &before[i]
	}
	z := s.zones(ctx)
	rows := make([]db.LockCode, 0, len(codes))
	for i := range codes {
		if codes[i].PropertyID != nil && *codes[i].PropertyID != propertyID {
			continue // listed under another property: that property's sync owns it
		}
		c, err := s.mirrorCode(z, &codes[i], propertyID, prev[codes[i].ID], now)
		if err != nil {
			s.logger.Warn("lock code skipped", slog.String("code_id", codes[i].ID), slog.Any("err", err))
			continue
		}
		rows = append(rows, c)
	}
	if _, err := s.store.ApplyLockCodeSync(ctx, propertyID, rows, now); err != nil {
		return false, err
	}
	after, err := s.store.LockCodesByProperty(ctx, propertyID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return false, err
	}
	for _, c := range after {
		s.notify(ctx, prev[c.ID], c)
		if pending(c) {
			s.tracker.Track(c.ID)
		}
	}
	return true, nil
}

func (s *Service) forgetSync(propertyID int64) {
	s.mu.Lock()
	delete(s.lastSync, propertyID)
	s.mu.Unlock()
}

// RefreshCode re-reads one code from the upstream into the mirror and pushes what changed. It reports whether the
// code has settled on every lock (nothing left to watch).
func (s *Service) RefreshCode(ctx context.Context, id string) (bool, error) {
	prev, err := s.store.LockCode(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	now := s.now().UTC()
	lc, err := s.up.GetLockCode(ctx, id)
	switch {
	case errors.Is(err, smarthome.ErrNotFound): // every lock reported it removed, or it was deleted elsewhere
		err = s.store.MarkLockCodeDeleted(ctx, id, now, true)
	case err == nil:
		var c db.LockCode
		if c, err = s.mirrorCode(s.zones(ctx), lc, prev.PropertyID, &prev, now); err == nil {
			err = s.store.UpsertLockCode(ctx, c)
		}
	}
	if err != nil {
		return false, err
	}
	cur, err := s.store.LockCode(ctx, id)
	if err != nil {
		return false, err
	}
	s.notify(ctx, &prev, cur)
	return !pending(cur), nil
}

// pending reports whether some lock of c is still setting or removing it.
func pending(c db.LockCode) bool {
	for _, d := range c.Devices {
		if d.Pending() {
			return true
		}
	}
	return false
}

// notify tells the pages about the per-lock states of cur that differ from prev (all of them when prev is nil).
func (s *Service) notify(ctx context.Context, prev *db.LockCode, cur db.LockCode) {
	if s.notifier == nil {
		return
	}
	old := map[string]db.LockCodeDevice{}
	if prev != nil {
		for _, d := range prev.Devices {
			old[d.DeviceID] = d
		}
	}
	var changed []db.LockCodeDevice
	for _, dv := range cur.Devices {
		if o, ok := old[dv.DeviceID]; ok && o.Status == dv.Status && o.Error == dv.Error && equalSlot(o.Slot, dv.Slot) &&
			o.ReportedAt.Equal(dv.ReportedAt) {
			continue
		}
		changed = append(changed, dv)
	}
	if len(changed) > 0 {
		s.notifier.CodeChanged(ctx, cur, changed)
	}
}

func equalSlot(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Observe is the webhook observer (the server adds it to Deps.Observed): a lock reported a code added, failed or
// deleted, so the codes it may concern are re-read at once (by the tracker, off the webhook's request). The webhook
// names the code only by its name. A keypad entry instead counts a use of the limited-use codes it names (uses.go).
func (s *Service) Observe(ctx context.Context, ob observe.Observation) {
	if isKeypadEntry(ob) {
		s.countUse(ctx, ob)
		return
	}
	switch ob.MessageType {
	case "lock_code_added", "lock_code_failed", "lock_code_deleted":
	default:
		return
	}
	if ob.DeviceID == "" {
		return
	}
	codes, err := s.store.LockCodesByDevice(ctx, ob.DeviceID, s.now().Add(-time.Hour))
	if err != nil {
		s.logger.Warn("lock-code observation", slog.String("device_id", ob.DeviceID), slog.Any("err", err))
		return
	}
	var named, inFlight []string
	for _, c := range codes {
		if c.Name == ob.Actor {
			named = append(named, c.ID)
		}
		if pending(c) {
			inFlight = append(inFlight, c.ID)
		}
	}
	if len(named) == 0 { // a keypad change or a renamed code: check what is in flight on that lock
		named = inFlight
	}
	s.tracker.Poke(named...)
}
