package simulator

import (
	"slices"
	"time"
)

// maxLifePerStep bounds the events one step may create (a clock jumped by days must not flood the receiver).
const maxLifePerStep = 1000

// live produces Options.LifeRate events per simulated second since last: residents coming and going, sensors,
// batteries draining, hubs dropping offline and coming back. Every choice comes from the state's seeded generator.
// Callers hold s.mu.
func (s *Simulator) live(last, now time.Time) {
	if s.opts.LifeRate <= 0 {
		return
	}
	dt := now.Sub(last)
	s.st.LifeDebt += dt.Seconds() * s.opts.LifeRate
	n := int(s.st.LifeDebt)
	s.st.LifeDebt -= float64(n)
	n = min(n, maxLifePerStep)
	hubs := s.st.idx().sortedHubs
	if n == 0 || len(hubs) == 0 {
		return
	}
	for i := range n {
		at := last.Add(dt * time.Duration(i+1) / time.Duration(n+1))
		s.lifeEvent(hubs[s.st.rng.IntN(len(hubs))], at)
	}
}

// lifeEvent makes one thing happen at h.
func (s *Simulator) lifeEvent(h *hub, at time.Time) {
	r := s.st.rng
	if !h.Online {
		if r.Float64() < 0.2 { // offline hubs come back eventually even without their scheduled return
			_ = s.trigger(TriggerEvent{HubID: h.ID, MessageType: "online"}, at)
		}
		return
	}
	devs := s.st.idx().devsByHub[h.ID]
	pick := func(types ...string) *device {
		var c []*device
		for _, d := range devs {
			if slices.Contains(types, d.Type) && !d.Offline {
				c = append(c, d)
			}
		}
		if len(c) == 0 {
			return nil
		}
		return c[r.IntN(len(c))]
	}
	later := func(d time.Duration, ev TriggerEvent) {
		s.schedule(job{Due: at.Add(d), Kind: jobTrigger, Trigger: &ev})
	}
	switch x := r.Float64(); {
	case x < 0.30:
		s.keypadEntry(pick("lock"), at, later)
	case x < 0.45:
		if d := pick("motion_sensor"); d != nil && !d.Motion {
			_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "motion_detected"}, at)
			later(2*time.Minute, TriggerEvent{DeviceID: d.ID, MessageType: "motion_cleared"})
		}
	case x < 0.60:
		if d := pick("contact_sensor"); d != nil && !d.ContactOpen {
			_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "door_open"}, at)
			later(time.Minute, TriggerEvent{DeviceID: d.ID, MessageType: "door_closed"})
		}
	case x < 0.70:
		s.drainBattery(pick(batteryDeviceTypes...), at)
	case x < 0.78:
		if d := pick("door_bell"); d != nil {
			_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "doorbell_pressed"}, at)
		}
	case x < 0.86:
		s.driftTemperature(pick("thermostat"), at)
	case x < 0.90:
		_ = s.trigger(TriggerEvent{HubID: h.ID, MessageType: "offline"}, at)
		later(time.Duration(5+r.IntN(26))*time.Minute, TriggerEvent{HubID: h.ID, MessageType: "online"})
	case x < 0.92:
		if d := pick("leakage_sensor"); d != nil {
			_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: map[bool]string{false: "leak_detected", true: "leak_cleared"}[d.Leak]}, at)
		}
	}
}

// keypadEntry is someone typing a PIN: usually a known code (Unlock with its name, then auto-lock), sometimes a wrong one.
func (s *Simulator) keypadEntry(d *device, at time.Time, later func(time.Duration, TriggerEvent)) {
	if d == nil {
		return
	}
	if s.st.rng.Float64() < 0.05 {
		_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "access_denied", User: "Keypad"}, at)
		return
	}
	user, firstID := "Keypad", ""
	for _, lc := range s.st.LockCodes { // the lowest id wins, so a seeded run repeats despite map order
		if slices.ContainsFunc(lc.Devices, func(e codeDevice) bool { return e.DeviceID == d.ID && e.Status == codeSet }) &&
			(firstID == "" || lc.ID < firstID) {
			user, firstID = lc.Name, lc.ID
		}
	}
	_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "Unlock", User: user}, at)
	if d.AutoLock {
		later(time.Duration(max(d.AutoLockTimer, 30))*time.Second, TriggerEvent{DeviceID: d.ID, MessageType: "Lock", User: "Auto"})
	}
}

// drainBattery takes 1–3% off a battery device; crossing below 20% reports low_battery.
func (s *Simulator) drainBattery(d *device, at time.Time) {
	if d == nil || d.Battery <= 0 {
		return
	}
	before := d.Battery
	d.Battery = max(0, d.Battery-1-s.st.rng.IntN(3))
	if before >= 20 && d.Battery < 20 {
		_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "low_battery", Details: d.Battery}, at)
	}
}

// driftTemperature moves room_temp by a degree; outside 55..85 °F reports temperature_alert.
func (s *Simulator) driftTemperature(d *device, at time.Time) {
	if d == nil {
		return
	}
	d.RoomTemp += s.st.rng.IntN(3) - 1
	if d.RoomTemp < 55 || d.RoomTemp > 85 {
		_ = s.trigger(TriggerEvent{DeviceID: d.ID, MessageType: "temperature_alert", Details: d.RoomTemp}, at)
	}
}
