package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// lcSlotUsage reads a mirrored lock's code slots: how many hold a code, and how many it has (0 when unknown).
// The mirror keeps only "set" markers for PINs, which is all counting needs.
func lcSlotUsage(l db.Device) (used, total int) {
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

// codeTargets are the locks a validated form sends a code to.
func (in lcInput) targets(sc lcScope) []db.Device {
	if in.all {
		return sc.locks
	}
	var out []db.Device
	for _, l := range sc.locks {
		if slices.Contains(in.devices, l.ID) {
			out = append(out, l)
		}
	}
	return out
}

// lcTargetZone is the zone the upstream reads a code's dates in: its locks' hub's. Locks on hubs in different zones
// would read one date two ways, so that is refused.
func lcTargetZone(ctx context.Context, store *db.Store, sc lcScope, targets []db.Device) (*time.Location, string) {
	var zone string
	for _, l := range targets {
		z := sc.property.TimeZone
		if h, err := store.Hub(ctx, l.HubID); err == nil && h.TimeZone != "" {
			z = h.TimeZone
		}
		if zone != "" && z != zone {
			return nil, "These locks are on hubs in different time zones (" + zone + ", " + z + "). Issue one code per hub."
		}
		zone = z
	}
	return tz.Load(zone), ""
}

// conflicts checks a code about to be saved against the mirror: the same PIN valid at an overlapping time on one of
// its locks, and (for new codes) locks with no free slot. exceptID is the code being edited. It returns problems by
// form field; PINs it opens stay in memory.
func (s *lockCodeService) conflicts(ctx context.Context, sc lcScope, targets []db.Device, pin smarthome.PIN,
	v lcValidity, exceptID string, newCode bool) (map[string]string, error) {
	problems := map[string]string{}
	codes, err := s.d.Store.LockCodesByProperty(ctx, sc.property.ID, time.Now())
	if err != nil {
		return nil, err
	}
	names := sc.lockNames()
	holding := map[string]int{} // lock → codes of the mirror set or being set on it
	for _, c := range codes {
		if c.ID == exceptID || c.DeletedAt != nil {
			continue
		}
		var onTarget []string
		for _, dv := range c.Devices {
			if dv.Status == db.LockCodeSet || dv.Status == db.LockCodeSetting {
				holding[dv.DeviceID]++
				if slices.ContainsFunc(targets, func(l db.Device) bool { return l.ID == dv.DeviceID }) {
					onTarget = append(onTarget, dv.DeviceID)
				}
			}
		}
		if len(onTarget) == 0 || pin == "" || problems["pin"] != "" {
			continue
		}
		other, err := s.sealer.open(c.ID, c.PINSealed)
		if err != nil || other != pin {
			continue // an unreadable PIN is re-read by the next sync; the upstream still refuses duplicates
		}
		cv, err := lcValidityOf(c)
		if err != nil || !lcOverlap(v, cv, sc.loc) {
			continue
		}
		problems["pin"] = fmt.Sprintf("This PIN is already used by “%s” on %s at an overlapping time (%s). "+
			"Choose another PIN, or change that code's times.", c.Name, names[onTarget[0]], cv.summary(sc.loc))
	}
	if newCode {
		for _, l := range targets {
			used, total := lcSlotUsage(l)
			used = max(used, holding[l.ID])
			if total > 0 && used >= total {
				problems["device"] = fmt.Sprintf("%s has no free code slot (%d of %d in use). Delete a code from it, "+
					"or leave it out.", deviceName(l), used, total)
				break
			}
		}
	}
	return problems, nil
}
