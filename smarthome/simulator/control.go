package simulator

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// controlRoutes serves the /_sim/* test controls (Options.Control). They need no token: never enable them on a
// simulator reachable by anyone but its tests.
func (s *Simulator) controlRoutes() {
	h := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				writeError(w, err)
			}
		})
	}
	h("GET /_sim/state", s.ctlGetState)
	h("PUT /_sim/state", s.ctlPutState)
	h("GET /_sim/clock", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"now": s.Now().UTC().Format(time.RFC3339Nano)})
		return nil
	})
	h("POST /_sim/clock/advance", s.ctlAdvance)
	h("POST /_sim/events", s.ctlTrigger)
	h("POST /_sim/locks/{device_id}/codes", s.ctlKeypadAdd)
	h("DELETE /_sim/locks/{device_id}/codes/{slot}", s.ctlKeypadRemove)
	h("GET /_sim/faults", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
		return nil
	})
	h("POST /_sim/faults", s.ctlSetFault)
	h("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) error {
		s.ClearFaults()
		writeJSON(w, http.StatusOK, ok("Faults cleared"))
		return nil
	})
	h("POST /_sim/hubs/{id}/offline", s.ctlHubOnline(false))
	h("POST /_sim/hubs/{id}/online", s.ctlHubOnline(true))
	h("GET /_sim/webhooks", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"webhooks": s.Deliveries()})
		return nil
	})
}

func (s *Simulator) ctlGetState(w http.ResponseWriter, _ *http.Request) error {
	b, err := s.State()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
	return nil
}

func (s *Simulator) ctlPutState(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 512<<20))
	if err != nil {
		return badRequest("Could not read request body")
	}
	if err := s.ReplaceState(b); err != nil {
		return unprocessable(err.Error())
	}
	writeJSON(w, http.StatusOK, ok("State replaced"))
	return nil
}

func (s *Simulator) ctlAdvance(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Seconds float64 `json:"seconds"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Seconds <= 0 || req.Seconds > 400*24*3600 {
		return unprocessable("seconds must be positive and at most 400 days")
	}
	if err := s.Advance(time.Duration(req.Seconds * float64(time.Second))); err != nil {
		return conflict("The simulator runs on the wall clock; start it with a fake clock to advance time")
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "now": s.Now().UTC().Format(time.RFC3339Nano)})
	return nil
}

func (s *Simulator) ctlTrigger(w http.ResponseWriter, r *http.Request) error {
	var ev TriggerEvent
	if err := decodeJSON(r, &ev); err != nil {
		return err
	}
	if ev.MessageType == "" || (ev.DeviceID == "") == (ev.HubID == "") {
		return unprocessable("message_type and exactly one of device_id or hub_id are required")
	}
	if err := s.Trigger(ev); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok("Event triggered"))
	return nil
}

func (s *Simulator) ctlKeypadAdd(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Code flexString `json:"code"`
		Slot int        `json:"slot"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	slot, err := s.AddLockCodeAtKeypad(r.PathValue("device_id"), string(req.Code), req.Slot)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "slot": slot})
	return nil
}

func (s *Simulator) ctlKeypadRemove(w http.ResponseWriter, r *http.Request) error {
	slot, err := strconv.Atoi(r.PathValue("slot"))
	if err != nil {
		return unprocessable("slot must be a number")
	}
	if err := s.RemoveLockCodeAtKeypad(r.PathValue("device_id"), slot); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok("Code removed"))
	return nil
}

func (s *Simulator) ctlSetFault(w http.ResponseWriter, r *http.Request) error {
	var f Fault
	if err := decodeJSON(r, &f); err != nil {
		return err
	}
	if err := s.SetFault(f); err != nil {
		return unprocessable(err.Error())
	}
	writeJSON(w, http.StatusOK, ok("Fault set"))
	return nil
}

func (s *Simulator) ctlHubOnline(online bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.SetHubOnline(r.PathValue("id"), online); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ok("Hub "+onlineWord(online)))
		return nil
	}
}

// State returns the whole state as JSON (GET /_sim/state); ReplaceState accepts it back.
func (s *Simulator) State() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.marshal()
}

// ReplaceState swaps in a state produced by State (PUT /_sim/state).
func (s *Simulator) ReplaceState(b []byte) error {
	st, err := unmarshalState(b)
	if err != nil {
		return err
	}
	if len(st.JWTKey) == 0 {
		return errors.New("simulator: state has no jwt_key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.changed()
	return nil
}

// SetHubOnline takes a hub offline or brings it back, reporting offline/online like the hub would. Commands to an
// offline hub's devices are accepted and never applied; code removals wait for it.
func (s *Simulator) SetHubOnline(hubID string, online bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.st.Hubs[hubID]
	if h == nil {
		return notFound("Hub not found")
	}
	if h.Online == online {
		return nil
	}
	return s.trigger(TriggerEvent{HubID: hubID, MessageType: map[bool]string{true: "online", false: "offline"}[online]},
		s.clock.Now())
}

// AddLockCodeAtKeypad is someone programming a PIN at the lock with the master code: the cloud learns of it only
// through lock_code_added (User "Keypad"). slot 0 takes the first free slot; the slot used is returned.
func (s *Simulator) AddLockCodeAtKeypad(deviceID, code string, slot int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Devices[deviceID]
	switch {
	case d == nil:
		return 0, notFound("Device not found")
	case !isCodeDevice(d.Type):
		return 0, unprocessable("Device is not a lock")
	case !validCode(code):
		return 0, unprocessable("code must be 4 to 8 digits")
	case slot < 0 || slot > d.MaxSlots:
		return 0, unprocessable("slot must be between 1 and max_slots")
	case onAnyLock(code, []*device{d}):
		return 0, conflict("That code is already on this lock")
	case slot != 0 && d.Codes[strconv.Itoa(slot)] != nil:
		return 0, conflict("Slot " + strconv.Itoa(slot) + " is in use")
	}
	if slot == 0 {
		if slot = freeSlot(d); slot == 0 {
			return 0, conflict("All slots are full")
		}
	}
	d.Codes[strconv.Itoa(slot)] = ptr(code)
	s.emit(target{hub: s.st.Hubs[d.HubID], dev: d}, d.Type, "lock_code_added", slot, "Keypad", s.clock.Now())
	return slot, nil
}

// RemoveLockCodeAtKeypad clears a slot at the lock (lock_code_deleted, User "Keypad"). An API code that used the
// slot keeps saying "set": that drift is what the dashboard's reconciliation finds.
func (s *Simulator) RemoveLockCodeAtKeypad(deviceID string, slot int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Devices[deviceID]
	switch {
	case d == nil:
		return notFound("Device not found")
	case !isCodeDevice(d.Type):
		return unprocessable("Device is not a lock")
	case d.Codes[strconv.Itoa(slot)] == nil:
		return notFound("Slot " + strconv.Itoa(slot) + " is empty")
	}
	d.Codes[strconv.Itoa(slot)] = nil
	s.emit(target{hub: s.st.Hubs[d.HubID], dev: d}, d.Type, "lock_code_deleted", slot, "Keypad", s.clock.Now())
	return nil
}

// IncludeDevice is an installer pairing a device of any upstream type with the hub: it reports add_device, as the
// hub command does (which pairs the device_type it names, a switch without one). It returns the new device's id.
func (s *Simulator) IncludeDevice(hubID, deviceType string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.st.Hubs[hubID]
	if h == nil {
		return "", notFound("Hub not found")
	}
	if !slices.Contains(allDeviceTypes, deviceType) {
		return "", unprocessable("Unknown device type")
	}
	return s.includeDevice(h, deviceType, s.clock.Now()).ID, nil
}
