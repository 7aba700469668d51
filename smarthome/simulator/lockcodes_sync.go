package simulator

import (
	"slices"
	"strconv"
	"time"
)

// lockCodeJSON is the LockCode object of CONTRACT.md.
type lockCodeJSON struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Code         string           `json:"code"`
	ValidityType string           `json:"validity_type"`
	FromDate     *string          `json:"from_date"`
	ToDate       *string          `json:"to_date"`
	Schedule     []scheduleDetail `json:"schedule_details_info"`
	CodeType     string           `json:"code_type"`
	PropertyID   *int64           `json:"property_id"`
	HubID        string           `json:"hub_id"`
	CreatedAt    string           `json:"created_at"`
	UpdatedAt    string           `json:"updated_at"`
	Devices      []codeDeviceJSON `json:"devices"`
}

type codeDeviceJSON struct {
	DeviceID  string `json:"device_id"`
	Status    string `json:"status"`
	Slot      *int   `json:"slot"`
	Error     string `json:"error"`
	UpdatedAt string `json:"updated_at"`
}

func optStringPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Simulator) lockCodeView(lc *lockCode) lockCodeJSON {
	v := lockCodeJSON{ID: lc.ID, Name: lc.Name, Code: lc.Code, ValidityType: lc.ValidityType,
		FromDate: optStringPtr(lc.FromDate), ToDate: optStringPtr(lc.ToDate), Schedule: lc.Schedule,
		CodeType: lc.CodeType, PropertyID: optInt64(lc.PropertyID), HubID: lc.HubID,
		CreatedAt: rfc3339(lc.CreatedAt), UpdatedAt: rfc3339(lc.UpdatedAt), Devices: []codeDeviceJSON{}}
	if v.Schedule == nil {
		v.Schedule = []scheduleDetail{}
	}
	for _, e := range lc.Devices {
		dj := codeDeviceJSON{DeviceID: e.DeviceID, Status: e.Status, Error: e.Error, UpdatedAt: rfc3339(e.UpdatedAt)}
		if e.Slot != 0 {
			dj.Slot = ptr(e.Slot)
		}
		v.Devices = append(v.Devices, dj)
	}
	return v
}

// addLockCode stores lc for locks and queues its sync to each lock. Callers hold s.mu.
func (s *Simulator) addLockCode(lc *lockCode, locks []*device) {
	now := s.clock.Now()
	lc.ID = newUUID(s.st.rng)
	lc.CreatedAt, lc.UpdatedAt = now, now
	for _, d := range locks {
		lc.Devices = append(lc.Devices, codeDevice{DeviceID: d.ID, Status: codeSetting, UpdatedAt: now})
	}
	if len(locks) > 0 {
		lc.HubID = locks[0].HubID
		if lc.PropertyID == 0 {
			lc.PropertyID = locks[0].PropertyID
		}
	}
	s.st.LockCodes[lc.ID] = lc
	s.queueSync(lc, now)
}

// queueSync schedules a sync job for every entry still in flight.
func (s *Simulator) queueSync(lc *lockCode, now time.Time) {
	for _, e := range lc.Devices {
		if e.Status == codeSetting || e.Status == codeRemoving {
			s.schedule(job{Due: now.Add(s.opts.CommandDelay), Kind: jobCodeSync, LockCodeID: lc.ID, DeviceID: e.DeviceID})
		}
	}
	s.changed()
}

// resetLockCode sends an updated code to its locks again (PUT /api/lock_codes/{id}, reservation and invitation
// updates). Callers hold s.mu.
func (s *Simulator) resetLockCode(lc *lockCode) {
	now := s.clock.Now()
	lc.UpdatedAt = now
	for i := range lc.Devices {
		if e := &lc.Devices[i]; e.Status != codeRemoving && e.Status != codeRemoved {
			e.Status, e.Error, e.UpdatedAt = codeSetting, "", now
		}
	}
	s.queueSync(lc, now)
}

// deleteLockCode starts removing lc from its locks; the record goes once every lock reports removed.
// Callers hold s.mu.
func (s *Simulator) deleteLockCode(lc *lockCode) {
	now := s.clock.Now()
	lc.UpdatedAt = now
	for i := range lc.Devices {
		if e := &lc.Devices[i]; e.Status != codeRemoved {
			e.Status, e.UpdatedAt = codeRemoving, now
		}
	}
	s.queueSync(lc, now)
	s.dropIfRemoved(lc)
}

func (s *Simulator) dropIfRemoved(lc *lockCode) {
	for _, e := range lc.Devices {
		if e.Status != codeRemoved {
			return
		}
	}
	delete(s.st.LockCodes, lc.ID)
}

// syncCode is a lock processing one code change. Callers hold s.mu.
func (s *Simulator) syncCode(codeID, deviceID string, at time.Time) {
	lc := s.st.LockCodes[codeID]
	if lc == nil {
		return
	}
	i := -1
	for k := range lc.Devices {
		if lc.Devices[k].DeviceID == deviceID {
			i = k
		}
	}
	if i < 0 {
		return
	}
	e, d := &lc.Devices[i], s.st.Devices[deviceID]
	if d == nil { // the lock was excluded from its hub meanwhile
		e.Status, e.Slot, e.UpdatedAt = codeRemoved, 0, at
		s.dropIfRemoved(lc)
		return
	}
	t := target{hub: s.st.Hubs[d.HubID], dev: d}
	switch e.Status {
	case codeSetting:
		s.setCode(t, lc, e, at)
	case codeRemoving:
		s.removeCode(t, lc, e, at)
	}
}

// setCode puts lc's PIN into a slot, or fails with hub offline, duplicate code or slots full.
func (s *Simulator) setCode(t target, lc *lockCode, e *codeDevice, at time.Time) {
	d := t.dev
	fail := func(reason string) {
		e.Status, e.Error, e.UpdatedAt = codeFailed, reason, at
		d.SettingErrors[lc.ID] = reason
		details := reason
		if e.Slot != 0 {
			details = "slot " + strconv.Itoa(e.Slot) + ": " + reason
		}
		s.emit(t, d.Type, "lock_code_failed", details, lc.Name, at)
	}
	if t.hub == nil || !t.hub.Online || d.Offline {
		fail(errHubOffline)
		return
	}
	for slot, pin := range d.Codes {
		if pin != nil && *pin == lc.Code && slot != strconv.Itoa(e.Slot) {
			fail(errDuplicateCode)
			return
		}
	}
	slot := e.Slot
	if slot == 0 || d.Codes[strconv.Itoa(slot)] == nil {
		if slot = freeSlot(d); slot == 0 {
			fail(errSlotsFull)
			return
		}
	}
	d.Codes[strconv.Itoa(slot)] = ptr(lc.Code)
	delete(d.SettingErrors, lc.ID)
	e.Status, e.Slot, e.Error, e.UpdatedAt = codeSet, slot, "", at
	s.emit(t, d.Type, "lock_code_added", slot, lc.Name, at)
}

// freeSlot returns the lowest empty slot of d, or 0 when all max_slots are taken.
func freeSlot(d *device) int {
	for slot := 1; slot <= d.MaxSlots; slot++ {
		if d.Codes[strconv.Itoa(slot)] == nil {
			return slot
		}
	}
	return 0
}

// removeCode clears lc's slot. An offline hub keeps the code (removing) until it is back online.
func (s *Simulator) removeCode(t target, lc *lockCode, e *codeDevice, at time.Time) {
	d := t.dev
	if e.Slot != 0 {
		if t.hub == nil || !t.hub.Online || d.Offline {
			return // SetHubOnline queues the removal again
		}
		key := strconv.Itoa(e.Slot)
		if pin := d.Codes[key]; pin != nil && *pin == lc.Code {
			d.Codes[key] = nil
		}
		s.emit(t, d.Type, "lock_code_deleted", e.Slot, lc.Name, at)
	}
	delete(d.SettingErrors, lc.ID)
	e.Status, e.UpdatedAt = codeRemoved, at
	s.dropIfRemoved(lc)
}

// requeueHub resumes code removals that waited for a hub to come back. Callers hold s.mu.
func (s *Simulator) requeueHub(hubID string) {
	now := s.clock.Now()
	ids := make([]string, 0, len(s.st.LockCodes))
	for id := range s.st.LockCodes {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a fixed order keeps seeded runs repeatable
	for _, id := range ids {
		lc := s.st.LockCodes[id]
		for _, e := range lc.Devices {
			if d := s.st.Devices[e.DeviceID]; e.Status == codeRemoving && d != nil && d.HubID == hubID {
				s.schedule(job{Due: now.Add(s.opts.CommandDelay), Kind: jobCodeSync, LockCodeID: lc.ID, DeviceID: d.ID})
			}
		}
	}
}
