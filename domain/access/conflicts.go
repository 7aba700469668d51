package access

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// SlotUsage reads a mirrored lock's code slots: how many hold a code, and how many it has (0 when unknown).
// The mirror keeps only "set" markers for PINs, which is all counting needs.
func SlotUsage(l db.Device) (used, total int) {
	var st struct {
		Codes    map[string]*json.RawMessage `json:"codes"`
		MaxSlots smarthome.FlexInt           `json:"max_slots"`
	}
	if json.Unmarshal([]byte(l.State), &st) != nil {
		return 0, 0
	}
	for _, c := range st.Codes {
		if c != nil && string(*c) != "null" {
			used++
		}
	}
	return used, st.MaxSlots.Int()
}

// ZoneClash means a code's locks are on hubs in different time zones: the upstream would read one date two ways,
// so such a code is refused (issue one code per hub).
type ZoneClash struct{ First, Second string }

func (e *ZoneClash) Error() string {
	return "locks on hubs in time zones " + e.First + " and " + e.Second
}

// TargetZone is the zone the upstream reads a code's dates in: its locks' hub's (propertyZone for a hub without
// one). Locks on hubs in different zones give a *ZoneClash.
func TargetZone(ctx context.Context, store *db.Store, propertyZone string, targets []db.Device) (*time.Location, error) {
	var zone string
	for _, l := range targets {
		z := propertyZone
		if h, err := store.Hub(ctx, l.HubID); err == nil && h.TimeZone != "" {
			z = h.TimeZone
		}
		if zone != "" && z != zone {
			return nil, &ZoneClash{First: zone, Second: z}
		}
		zone = z
	}
	return tz.Load(zone), nil
}

// Draft is a code about to be saved, as Conflicts checks it against the mirror.
type Draft struct {
	PropertyID int64
	Zone       *time.Location // the property's: recurring windows are compared on its wall clock
	Targets    []db.Device    // the locks it goes to
	PIN        smarthome.PIN  // empty: no PIN clash is looked for
	Validity   Validity
	ExceptID   string // the code being edited, which cannot clash with itself
	New        bool   // a new code needs a free slot on each lock
}

// Conflicts are what stops a draft from being saved as it is; both nil: nothing.
type Conflicts struct {
	PIN  *PINClash // the first code found with the same PIN at an overlapping time on one of the locks
	Full *FullLock // the first lock with no free slot (new codes only)
}

// Any reports whether something stops the draft.
func (c Conflicts) Any() bool { return c.PIN != nil || c.Full != nil }

// PINClash is another live code with the draft's PIN, valid at an overlapping time on DeviceID.
type PINClash struct {
	Code     db.LockCode
	DeviceID string
	Validity Validity
}

// FullLock is a lock whose slots are all taken, by the lock's report or by the codes the mirror holds for it.
type FullLock struct {
	Lock        db.Device
	Used, Total int
}

// Conflicts checks a draft against the mirror: the same PIN valid at an overlapping time on one of its locks,
// and (for new codes) locks with no free slot. PINs it opens stay in memory.
func (s *Service) Conflicts(ctx context.Context, d Draft) (Conflicts, error) {
	var out Conflicts
	codes, err := s.store.LockCodesByProperty(ctx, d.PropertyID, time.Now())
	if err != nil {
		return out, err
	}
	holding := map[string]int{} // lock → codes of the mirror set or being set on it
	for _, c := range codes {
		if c.ID == d.ExceptID || c.DeletedAt != nil {
			continue
		}
		var onTarget []string
		for _, dv := range c.Devices {
			if dv.Status == db.LockCodeSet || dv.Status == db.LockCodeSetting {
				holding[dv.DeviceID]++
				if slices.ContainsFunc(d.Targets, func(l db.Device) bool { return l.ID == dv.DeviceID }) {
					onTarget = append(onTarget, dv.DeviceID)
				}
			}
		}
		if len(onTarget) == 0 || d.PIN == "" || out.PIN != nil {
			continue
		}
		other, err := s.sealer.open(c.ID, c.PINSealed)
		if err != nil || other != d.PIN {
			continue // an unreadable PIN is re-read by the next sync; the upstream still refuses duplicates
		}
		cv, err := ValidityOf(c)
		if err != nil || !Overlap(d.Validity, cv, d.Zone) {
			continue
		}
		out.PIN = &PINClash{Code: c, DeviceID: onTarget[0], Validity: cv}
	}
	if d.New {
		for _, l := range d.Targets {
			used, total := SlotUsage(l)
			used = max(used, holding[l.ID])
			if total > 0 && used >= total {
				out.Full = &FullLock{Lock: l, Used: used, Total: total}
				break
			}
		}
	}
	return out, nil
}
