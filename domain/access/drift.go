package access

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// driftReaders is how many locks are read from the upstream at once for one drift check.
const driftReaders = 4

// slotClearer empties one slot of a lock, whatever PIN it holds: DELETE /api/devices/{id}/codes/{slot}, an inferred
// route (smarthome/CONTRACT.md). Only that removes a PIN nobody issued; until the Upstream offers it, the drift page
// tells people to clear such a slot at the keypad.
type slotClearer interface {
	ClearLockSlot(ctx context.Context, deviceID string, slot int) error
}

func (s *Service) slotClearer() slotClearer {
	c, _ := any(s.up).(slotClearer)
	return c
}

// CanClearSlots reports whether the upstream can empty a lock's slot remotely (else: at the keypad).
func (s *Service) CanClearSlots() bool { return s.slotClearer() != nil }

// DriftKind is what disagrees between a lock and the codes issued for it.
type DriftKind string

// Kinds of drift between the codes issued here and the codes a lock reports.
const (
	DriftUnknown DriftKind = "unknown" // a PIN on the lock that no code here accounts for (a security risk)
	DriftMissing DriftKind = "missing" // a code here says set, but the lock does not hold its PIN
	DriftExpired DriftKind = "expired" // a code whose window ended is still on the lock
)

// Drift compares, lock by lock, the codes issued for a property with what each lock holds now. PINs never leave
// the service: differences name codes and slots.
type Drift struct {
	Checked    time.Time // when the locks were read
	SyncErr    error     // the code list could not be refreshed first: it was compared as last known
	Unreadable int       // issued codes whose PIN does not open here; a slot holding one shows as unknown
	CanClear   bool      // unknown PINs can be cleared remotely
	Locks      []LockDrift
}

// LockDrift is one lock's comparison.
type LockDrift struct {
	Lock       db.Device
	Err        error // the lock could not be read; nothing is known about it
	SlotsUsed  int
	SlotsTotal int // 0 when the lock does not say
	Matched    int // codes here that are on the lock as they should be
	Pending    int // codes here still being set or removed (not drift)
	Diffs      []Difference
}

// Difference is one slot or code on which a lock and the codes issued here disagree.
type Difference struct {
	Kind  DriftKind
	Slot  int         // 0 for a missing code whose slot is unknown
	Code  db.LockCode // DriftMissing and DriftExpired
	Ended time.Time   // DriftExpired: when its window ended
}

// lockSlots is what one lock reported: its used slots (slot → PIN), or why it could not be read.
type lockSlots struct {
	dev   db.Device
	slots map[int]smarthome.PIN
	total int
	err   error
}

// readLocks reads the slots of locks from the upstream, a few at a time. The PINs stay in memory.
func (s *Service) readLocks(ctx context.Context, locks []db.Device) []lockSlots {
	out := make([]lockSlots, len(locks))
	sem := make(chan struct{}, driftReaders)
	var wg sync.WaitGroup
	for i, l := range locks {
		out[i].dev = l
		_, out[i].total = SlotUsage(l)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			slots, err := s.up.ReadLockSlots(cctx, l.ID)
			if err != nil {
				out[i].err = err
				return
			}
			out[i].slots = map[int]smarthome.PIN{}
			for k, pin := range slots {
				if n, err := strconv.Atoi(k); err == nil && pin != nil && *pin != "" {
					out[i].slots[n] = *pin
				}
			}
		})
	}
	wg.Wait()
	return out
}

// issuedPINs opens the PINs of codes; codes whose PIN does not open are left out (and counted).
func (s *Service) issuedPINs(codes []db.LockCode) (map[string]smarthome.PIN, int) {
	pins := make(map[string]smarthome.PIN, len(codes))
	unreadable := 0
	for _, c := range codes {
		if pin, err := s.sealer.open(c.ID, c.PINSealed); err == nil {
			pins[c.ID] = pin
		} else {
			unreadable++
		}
	}
	return pins, unreadable
}

// Drift compares the codes issued for a property with what each of its locks holds now. The code list is
// refreshed from the upstream first; the locks are read live (the mirror deliberately masks their PINs).
func (s *Service) Drift(ctx context.Context, propertyID int64, locks []db.Device) (Drift, error) {
	now := time.Now().UTC()
	d := Drift{Checked: now, CanClear: s.CanClearSlots()}
	if _, err := s.SyncProperty(ctx, propertyID, 0); err != nil { // a person asked: compare with the latest
		d.SyncErr = err
	}
	codes, err := s.store.LockCodesByProperty(ctx, propertyID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return d, err
	}
	pins, unreadable := s.issuedPINs(codes)
	d.Unreadable = unreadable
	for _, ls := range s.readLocks(ctx, locks) {
		d.Locks = append(d.Locks, compareLock(ls, codes, pins, now))
	}
	return d, nil
}

// compareLock finds one lock's differences. A PIN in a slot matches a live code here that targets the lock; a
// code in flight (setting, removing) is not drift.
func compareLock(ls lockSlots, codes []db.LockCode, pins map[string]smarthome.PIN, now time.Time) LockDrift {
	dl := LockDrift{Lock: ls.dev, SlotsTotal: ls.total}
	if ls.err != nil {
		dl.Err = ls.err
		return dl
	}
	dl.SlotsUsed = len(ls.slots)
	seen := map[string]bool{}
	slots := make([]int, 0, len(ls.slots))
	for n := range ls.slots {
		slots = append(slots, n)
	}
	slices.Sort(slots)
	for _, n := range slots {
		c, e, ok := matchSlot(ls.slots[n], ls.dev.ID, codes, pins)
		switch {
		case ok && e.Pending():
			dl.Pending++
			seen[c.ID] = true
		case ok && c.DeletedAt == nil && e.Status == db.LockCodeSet:
			seen[c.ID] = true
			if v, err := ValidityOf(c); err == nil && v.Ended(now) {
				dl.Diffs = append(dl.Diffs, Difference{Kind: DriftExpired, Slot: n, Code: c, Ended: v.End})
				continue
			}
			dl.Matched++
		default: // no live code here accounts for this PIN
			dl.Diffs = append(dl.Diffs, Difference{Kind: DriftUnknown, Slot: n})
		}
	}
	for _, c := range codes {
		if c.DeletedAt != nil || seen[c.ID] {
			continue
		}
		if _, readable := pins[c.ID]; !readable {
			continue
		}
		for _, e := range c.Devices {
			if e.DeviceID == ls.dev.ID && e.Status == db.LockCodeSet {
				it := Difference{Kind: DriftMissing, Code: c}
				if e.Slot != nil {
					it.Slot = *e.Slot
				}
				dl.Diffs = append(dl.Diffs, it)
			}
		}
	}
	return dl
}

// matchSlot finds the code here whose PIN is pin on lock deviceID, preferring one still live on it.
func matchSlot(pin smarthome.PIN, deviceID string, codes []db.LockCode, pins map[string]smarthome.PIN) (db.LockCode, db.LockCodeDevice, bool) {
	var best db.LockCode
	var bestDev db.LockCodeDevice
	found := false
	for _, c := range codes {
		if p, ok := pins[c.ID]; !ok || p != pin {
			continue
		}
		for _, e := range c.Devices {
			if e.DeviceID != deviceID {
				continue
			}
			live := c.DeletedAt == nil && (e.Status == db.LockCodeSet || e.Pending())
			if !found || (live && !(bestDev.Status == db.LockCodeSet || bestDev.Pending())) {
				best, bestDev, found = c, e, true
			}
		}
	}
	return best, bestDev, found && (bestDev.Status == db.LockCodeSet || bestDev.Pending())
}

// Errors of ClearSlot that change nothing.
var (
	ErrCannotClear = errors.New("access: the upstream cannot clear a slot remotely")
	ErrSlotKnown   = errors.New("access: the slot no longer holds an unknown code")
)

// ClearSlot empties a slot of lock that holds a PIN no live code of the property accounts for, after reading the
// lock again: a stale page cannot clear a code that is now legitimate (that gives ErrSlotKnown).
func (s *Service) ClearSlot(ctx context.Context, propertyID int64, lock db.Device, slot int) error {
	clearer := s.slotClearer()
	if clearer == nil {
		return ErrCannotClear
	}
	codes, err := s.store.LockCodesByProperty(ctx, propertyID, time.Now().Add(-db.LockCodeRetention))
	if err != nil {
		return err
	}
	pins, _ := s.issuedPINs(codes)
	ls := s.readLocks(ctx, []db.Device{lock})[0]
	if ls.err != nil {
		return ls.err
	}
	pin, held := ls.slots[slot]
	if _, _, known := matchSlot(pin, lock.ID, codes, pins); !held || known {
		return ErrSlotKnown
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return clearer.ClearLockSlot(ctx, lock.ID, slot)
}
