// Package access is the lock-code feature's domain: when a code opens its locks (Validity, Overlap), what stops a
// code from being saved (Conflicts, slot usage), the sealing of PINs in the mirror, the sync of a property's codes
// from the upstream, the Tracker that re-reads codes in flight until their locks answer, and the drift check that
// compares what the locks hold with what was issued. HTTP, texts and rendering stay in handlers; pages learn of
// changed states through a Notifier.
package access

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// Limits of the lock-code feature.
const (
	SyncGap     = 15 * time.Second // page loads re-list a property's codes at most this often
	callTimeout = 15 * time.Second // one upstream call made for a page or a tracker check
)

// Notifier tells the pages showing a code that its state changed on some of its locks. Rendering and publishing
// live with the pages (handlers); the service only says what changed, never the PIN.
type Notifier interface {
	CodeChanged(ctx context.Context, c db.LockCode, changed []db.LockCodeDevice)
}

// Config are the service's collaborators, built once in cmd/web.
type Config struct {
	Logger   *slog.Logger
	Store    *db.Store
	Upstream *upstream.API
	Key      []byte   // 32 bytes (DeriveCodeKey) sealing PINs in the mirror; nil: codes are listed, none issued or synced
	Notifier Notifier // nil: open pages are not told of changed states
}

// Service is the lock-code feature's shared state: the PIN sealer, the tracker of codes still in flight, the
// per-property sync throttle and the per-person limits on reveals and one-off codes. Its tracker's Run loop must be
// running (cmd/web supervises it) for codes in flight to converge without webhooks.
type Service struct {
	logger   *slog.Logger
	store    *db.Store
	up       *upstream.API
	notifier Notifier
	sealer   *sealer // nil without Config.Key: codes are listed, none issued or synced
	tracker  *Tracker
	limits   *personLimiter
	now      func() time.Time

	mu       sync.Mutex
	lastSync map[int64]time.Time // property → when a page load last started a sync of its codes
	retiring sync.Map            // ids of used-up codes whose removal is under way (uses.go)
}

// NewService builds the service; without a valid key it is read-only, and says so in the log.
func NewService(cfg Config) *Service {
	s := &Service{logger: cfg.Logger, store: cfg.Store, up: cfg.Upstream, notifier: cfg.Notifier, now: time.Now,
		lastSync: map[int64]time.Time{}, limits: newPersonLimiter()}
	if sealer, err := newSealer(cfg.Key); err == nil {
		s.sealer = sealer
	} else if cfg.Logger != nil {
		cfg.Logger.Warn("lock codes are read-only: no lock-code key configured")
	}
	s.tracker = newTracker(cfg.Logger, s.RefreshCode)
	return s
}

// Tracker is the service's watcher of codes in flight: cmd/web runs its loop, handlers hand it the codes they sent.
func (s *Service) Tracker() *Tracker { return s.tracker }

// CanIssue reports whether the service has a key, so it can store the PINs of codes it issues.
func (s *Service) CanIssue() bool { return s.sealer != nil }

// OpenPIN returns a mirrored code's PIN. An error (no key, or a PIN sealed under an older key) never contains it.
func (s *Service) OpenPIN(c db.LockCode) (smarthome.PIN, error) {
	return s.sealer.open(c.ID, c.PINSealed)
}

// AllowPerson bounds how often one person may reveal codes or issue one-off codes: a stolen session cannot dump
// every PIN.
func (s *Service) AllowPerson(userID int64) bool { return s.limits.allow(userID) }

// zones resolves the zone of a code's dates (its hub's, else its property's) with a cache for one pass.
type zones struct {
	ctx   context.Context
	store *db.Store
	hubs  map[string]*time.Location
	props map[int64]*time.Location
}

func (s *Service) zones(ctx context.Context) *zones {
	return &zones{ctx: ctx, store: s.store, hubs: map[string]*time.Location{}, props: map[int64]*time.Location{}}
}

func (z *zones) property(id int64) *time.Location {
	if loc, ok := z.props[id]; ok {
		return loc
	}
	p, _ := z.store.Property(z.ctx, id) // unknown: UTC
	loc := tz.Load(p.TimeZone)
	z.props[id] = loc
	return loc
}

func (z *zones) hub(hubID string, propertyID int64) *time.Location {
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
