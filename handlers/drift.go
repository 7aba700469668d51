package handlers

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// driftReaders is how many locks are read from the upstream at once for one drift check.
const driftReaders = 4

// slotClearer empties one slot of a lock, whatever PIN it holds: DELETE /api/devices/{id}/codes/{slot}, an inferred
// route (smarthome/CONTRACT.md). Only that removes a PIN nobody issued; until the Upstream offers it, the drift page
// tells people to clear such a slot at the keypad.
type slotClearer interface {
	ClearLockSlot(ctx context.Context, deviceID string, slot int) error
}

func (s *lockCodeService) slotClearer() slotClearer {
	c, _ := any(s.d.Upstream).(slotClearer)
	return c
}

// lockSlots is what one lock reported: its used slots (slot → PIN), or why it could not be read.
type lockSlots struct {
	dev   db.Device
	slots map[int]smarthome.PIN
	total int
	err   error
}

// readLocks reads the slots of locks from the upstream, a few at a time. The PINs stay in memory.
func (s *lockCodeService) readLocks(ctx context.Context, locks []db.Device) []lockSlots {
	out := make([]lockSlots, len(locks))
	sem := make(chan struct{}, driftReaders)
	var wg sync.WaitGroup
	for i, l := range locks {
		out[i].dev = l
		_, out[i].total = lcSlotUsage(l)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, lockCodeCallTimeout)
			defer cancel()
			slots, err := s.d.Upstream.ReadLockSlots(cctx, l.ID)
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
func (s *lockCodeService) issuedPINs(codes []db.LockCode) (map[string]smarthome.PIN, int) {
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

// driftReport compares, lock by lock, the codes issued for the property with what each lock holds now. The code
// list is refreshed from the upstream first; the locks are read live (the mirror deliberately masks their PINs).
func (s *lockCodeService) driftReport(ctx context.Context, sc lcScope) (views.DriftPageData, error) {
	now := time.Now().UTC()
	d := views.DriftPageData{PropertyID: sc.propertyID(), PropertyName: sc.property.Name,
		TimeZone: cmp.Or(sc.property.TimeZone, "UTC")}
	d.Checked, d.CheckedISO = localTimes(&now, sc.loc)
	if _, err := s.syncProperty(ctx, sc.property.ID, 0); err != nil { // a person asked: compare with the latest
		_, msg := classify(err)
		d.Notice = "The code list could not be refreshed first (" + msg + "); it is compared as last known."
	}
	codes, err := s.d.Store.LockCodesByProperty(ctx, sc.property.ID, now.Add(-db.LockCodeRetention))
	if err != nil {
		return d, err
	}
	pins, unreadable := s.issuedPINs(codes)
	if unreadable > 0 {
		d.Notice = fmt.Sprintf("%d issued code(s) could not be read here; a slot holding one of them shows as unknown. "+
			"Check again after the next sync.", unreadable)
	}
	clearer := s.slotClearer() != nil
	for _, ls := range s.readLocks(ctx, sc.locks) {
		dl := compareLock(ls, codes, pins, sc, now, clearer)
		d.Differences += len(dl.Items)
		d.Locks = append(d.Locks, dl)
	}
	return d, nil
}

// compareLock finds one lock's differences. A PIN in a slot matches a live code here that targets the lock; a
// code in flight (setting, removing) is not drift.
func compareLock(ls lockSlots, codes []db.LockCode, pins map[string]smarthome.PIN, sc lcScope, now time.Time, clearer bool) views.DriftLockData {
	dl := views.DriftLockData{DeviceID: ls.dev.ID, Name: deviceName(ls.dev), SlotsTotal: ls.total}
	if ls.err != nil {
		_, msg := classify(ls.err)
		dl.Error = "This lock could not be read: " + msg
		return dl
	}
	dl.SlotsUsed = len(ls.slots)
	base := lcPropertyPath(sc.property.ID) + "/drift/"
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
			if v, err := lcValidityOf(c); err == nil && v.ended(now) {
				local, _ := localTimes(&v.End, sc.loc)
				dl.Items = append(dl.Items, views.DriftItemData{Kind: views.DriftExpired, Slot: n, DeviceID: ls.dev.ID,
					CodeID: c.ID, CodeName: c.Name, EndedLocal: local, Remedy: "Remove from the lock", RemedyURL: base + "remove",
					Detail: "Its window ended " + local + ", but the lock still opens with it."})
				continue
			}
			dl.Matched++
		default: // no live code here accounts for this PIN
			it := views.DriftItemData{Kind: views.DriftUnknown, Slot: n, DeviceID: ls.dev.ID,
				Detail: "Slot " + strconv.Itoa(n) + " holds a PIN that no live code issued here accounts for: someone may have added it at the keypad."}
			if clearer {
				it.Remedy, it.RemedyURL = "Remove from the lock", base+"clear-slot"
			} else {
				it.Manual = "Clear slot " + strconv.Itoa(n) + " at the lock's keypad with the master code: this Smart Home service offers no remote way to clear a slot."
			}
			dl.Items = append(dl.Items, it)
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
				it := views.DriftItemData{Kind: views.DriftMissing, DeviceID: ls.dev.ID, CodeID: c.ID, CodeName: c.Name,
					Remedy: "Send again", RemedyURL: base + "resend",
					Detail: "Reported set on this lock, but the lock does not hold its PIN (cleared at the keypad?)."}
				if e.Slot != nil {
					it.Slot = *e.Slot
				}
				dl.Items = append(dl.Items, it)
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

func driftURL(propertyID int64) string {
	return "/properties/" + url.PathEscape(strconv.FormatInt(propertyID, 10)) + "/drift"
}
