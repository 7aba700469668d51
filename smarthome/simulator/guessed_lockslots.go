package simulator

import (
	"net/http"
	"strconv"
)

// handleClearSlot: DELETE /api/devices/{id}/codes/{slot} [INF: CONTRACT.md]. The lock empties the slot, whatever PIN
// a person programmed there at the keypad, after the command delay. A slot that a live lock code of the API holds is
// refused (delete that lock code instead), and so is a lock whose hub is offline (nothing is queued).
func (s *Simulator) handleClearSlot(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	if !isCodeDevice(d.Type) {
		return unprocessable("Device is not a lock")
	}
	slot, err := strconv.Atoi(r.PathValue("slot"))
	if err != nil || slot < 1 || slot > d.MaxSlots {
		return unprocessable("slot must be a number between 1 and max_slots")
	}
	key := strconv.Itoa(slot)
	if d.Codes[key] == nil {
		return notFound("Slot " + key + " is empty")
	}
	for _, lc := range s.st.LockCodes {
		for _, e := range lc.Devices {
			if e.DeviceID == d.ID && e.Slot == slot && (e.Status == codeSet || e.Status == codeRemoving) {
				return conflict("Slot " + key + " holds lock code " + lc.ID + ": delete that lock code instead")
			}
		}
	}
	if h := s.st.Hubs[d.HubID]; h == nil || !h.Online || d.Offline {
		return conflict("Hub is offline")
	}
	s.schedule(job{Due: s.clock.Now().Add(s.opts.CommandDelay), Kind: jobSlotClear, DeviceID: d.ID, Slot: slot})
	writeJSON(w, http.StatusOK, ok("Code removal sent"))
	return nil
}

// clearSlot is the lock emptying a slot (User "API" in lock_code_deleted). Callers hold s.mu.
func (s *Simulator) clearSlot(j *job) {
	d := s.st.Devices[j.DeviceID]
	key := strconv.Itoa(j.Slot)
	if d == nil || d.Codes[key] == nil {
		return // removed at the keypad meanwhile, or the lock is gone
	}
	d.Codes[key] = nil
	s.emit(target{hub: s.st.Hubs[d.HubID], dev: d}, d.Type, "lock_code_deleted", j.Slot, "API", j.Due)
}
