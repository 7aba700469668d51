package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// Limits of the lock-code feature.
const (
	lockCodeSyncGap     = 15 * time.Second // page loads re-list a property's codes at most this often
	lockCodeCallTimeout = 15 * time.Second // one upstream call made for a page or a tracker check
	lcMaxListed         = 300              // codes one list shows; the rest are counted
)

// lockCodeService is the lock-code feature's shared state: the PIN sealer, the tracker of codes still in flight,
// the per-property sync throttle and the per-person limits on reveals and one-off codes.
type lockCodeService struct {
	d       Deps
	sealer  *lcSealer // nil without Deps.CodeKey: codes are listed, none issued or synced
	tracker *lcTracker
	limits  *lcPersonLimiter
	now     func() time.Time

	mu       sync.Mutex
	lastSync map[int64]time.Time // property → when a page load last started a sync of its codes
}

func newLockCodeService(d Deps) *lockCodeService {
	s := &lockCodeService{d: d, now: time.Now, lastSync: map[int64]time.Time{}, limits: newLCPersonLimiter()}
	if sealer, err := newLCSealer(d.CodeKey); err == nil {
		s.sealer = sealer
	} else if d.Logger != nil {
		d.Logger.Warn("lock codes are read-only: no lock-code key configured")
	}
	s.tracker = newLCTracker(s)
	if d.Observed != nil {
		d.Observed.Add(s.observe)
	}
	return s
}

// lcZones resolves the zone of a code's dates (its hub's, else its property's) with a cache for one pass.
type lcZones struct {
	ctx   context.Context
	store *db.Store
	hubs  map[string]*time.Location
	props map[int64]*time.Location
}

func (s *lockCodeService) lcZones(ctx context.Context) *lcZones {
	return &lcZones{ctx: ctx, store: s.d.Store, hubs: map[string]*time.Location{}, props: map[int64]*time.Location{}}
}

func (z *lcZones) property(id int64) *time.Location {
	if loc, ok := z.props[id]; ok {
		return loc
	}
	p, _ := z.store.Property(z.ctx, id) // unknown: UTC
	loc := tz.Load(p.TimeZone)
	z.props[id] = loc
	return loc
}

func (z *lcZones) hub(hubID string, propertyID int64) *time.Location {
	if loc, ok := z.hubs[hubID]; ok {
		return loc
	}
	loc := z.property(propertyID)
	if h, err := z.store.Hub(z.ctx, hubID); err == nil && h.TimeZone != "" {
		loc = tz.Load(h.TimeZone)
	}
	z.hubs[hubID] = loc
	return loc
}

// mirrorCode maps an upstream code onto its mirror row, sealing the PIN. propertyID is used when the upstream does
// not say; prev is the stored version, if any.
func (s *lockCodeService) mirrorCode(z *lcZones, lc *smarthome.LockCode, propertyID int64, prev *db.LockCode, checked time.Time) (db.LockCode, error) {
	if lc.PropertyID != nil {
		propertyID = *lc.PropertyID
	}
	v, err := lcValidityFromUpstream(lc, z.hub(lc.HubID, propertyID), prev)
	if err != nil {
		return db.LockCode{}, err
	}
	sealed, err := s.sealer.seal(lc.ID, lc.Code)
	if err != nil {
		return db.LockCode{}, err
	}
	c := db.LockCode{ID: lc.ID, PropertyID: propertyID, HubID: lc.HubID, Name: lc.Name, CodeType: lc.CodeType,
		ValidityType: v.Kind, Schedule: v.scheduleJSON(), PINSealed: sealed, CreatedAt: lc.CreatedAt.UTC(),
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

// syncProperty re-lists a property's codes from the upstream into the mirror, unless a sync of it started less
// than minGap ago (then it reports false). Changes are pushed live; codes in flight go to the tracker.
func (s *lockCodeService) syncProperty(ctx context.Context, propertyID int64, minGap time.Duration) (bool, error) {
	if s.sealer == nil {
		return false, errLCNoKey
	}
	now := s.now().UTC()
	s.mu.Lock()
	if last, ok := s.lastSync[propertyID]; ok && now.Sub(last) < minGap {
		s.mu.Unlock()
		return false, nil
	}
	s.lastSync[propertyID] = now
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, lockCodeCallTimeout)
	defer cancel()
	codes, err := s.d.Upstream.ListPropertyLockCodes(ctx, propertyID)
	if err != nil {
		s.forgetSync(propertyID) // let the next page load try again at once
		return false, fmt.Errorf("list lock codes of property %d: %w", propertyID, err)
	}
	before, err := s.d.Store.LockCodesByProperty(ctx, propertyID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return false, err
	}
	prev := make(map[string]*db.LockCode, len(before))
	for i := range before {
		prev[before[i].ID] = &before[i]
	}
	z := s.lcZones(ctx)
	rows := make([]db.LockCode, 0, len(codes))
	for i := range codes {
		if codes[i].PropertyID != nil && *codes[i].PropertyID != propertyID {
			continue // listed under another property: that property's sync owns it
		}
		c, err := s.mirrorCode(z, &codes[i], propertyID, prev[codes[i].ID], now)
		if err != nil {
			s.d.Logger.Warn("lock code skipped", slog.String("code_id", codes[i].ID), slog.Any("err", err))
			continue
		}
		rows = append(rows, c)
	}
	if _, err := s.d.Store.ApplyLockCodeSync(ctx, propertyID, rows, now); err != nil {
		return false, err
	}
	after, err := s.d.Store.LockCodesByProperty(ctx, propertyID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return false, err
	}
	for _, c := range after {
		s.publishChanges(ctx, prev[c.ID], c)
		if lcPending(c) {
			s.tracker.track(c.ID)
		}
	}
	return true, nil
}

func (s *lockCodeService) forgetSync(propertyID int64) {
	s.mu.Lock()
	delete(s.lastSync, propertyID)
	s.mu.Unlock()
}

// refreshCode re-reads one code from the upstream into the mirror and pushes what changed. It reports whether the
// code has settled on every lock (nothing left to watch).
func (s *lockCodeService) refreshCode(ctx context.Context, id string) (bool, error) {
	prev, err := s.d.Store.LockCode(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	now := s.now().UTC()
	lc, err := s.d.Upstream.GetLockCode(ctx, id)
	switch {
	case errors.Is(err, smarthome.ErrNotFound): // every lock reported it removed, or it was deleted elsewhere
		err = s.d.Store.MarkLockCodeDeleted(ctx, id, now, true)
	case err == nil:
		var c db.LockCode
		if c, err = s.mirrorCode(s.lcZones(ctx), lc, prev.PropertyID, &prev, now); err == nil {
			err = s.d.Store.UpsertLockCode(ctx, c)
		}
	}
	if err != nil {
		return false, err
	}
	cur, err := s.d.Store.LockCode(ctx, id)
	if err != nil {
		return false, err
	}
	s.publishChanges(ctx, &prev, cur)
	return !lcPending(cur), nil
}

// lcPending reports whether some lock of c is still setting or removing it.
func lcPending(c db.LockCode) bool {
	for _, d := range c.Devices {
		if d.Pending() {
			return true
		}
	}
	return false
}

// observe is the webhook observer: a lock reported a code added, failed or deleted, so the codes it may concern
// are re-read at once (by the tracker, off the webhook's request). The webhook names the code only by its name.
func (s *lockCodeService) observe(ctx context.Context, ob observe.Observation) {
	switch ob.MessageType {
	case "lock_code_added", "lock_code_failed", "lock_code_deleted":
	default:
		return
	}
	if ob.DeviceID == "" {
		return
	}
	codes, err := s.d.Store.LockCodesByDevice(ctx, ob.DeviceID, s.now().Add(-time.Hour))
	if err != nil {
		s.d.Logger.Warn("lock-code observation", slog.String("device_id", ob.DeviceID), slog.Any("err", err))
		return
	}
	var named, pending []string
	for _, c := range codes {
		if c.Name == ob.Actor {
			named = append(named, c.ID)
		}
		if lcPending(c) {
			pending = append(pending, c.ID)
		}
	}
	if len(named) == 0 { // a keypad change or a renamed code: check what is in flight on that lock
		named = pending
	}
	s.tracker.poke(named...)
}
