package simulator

import (
	"net/http"
	"slices"
	"time"
)

// handleDeviceSchedules: GET /api/devices/{id}/schedules [INF] → the schedules that fit the device (same device_type,
// same or no property) and the active one.
func (s *Simulator) handleDeviceSchedules(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	list := []scheduleJSON{}
	for _, sc := range s.sortedSchedules() {
		if sc.DeviceType == d.Type && (sc.PropertyID == 0 || sc.PropertyID == d.PropertyID) {
			list = append(list, scheduleView(sc))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": list, "active_schedule_id": optString(d.ScheduleID)})
	return nil
}

// handleScheduleActivate: PUT|POST /api/devices/{id}/schedules/{schedule_id}/activate [INF].
func (s *Simulator) handleScheduleActivate(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	return s.activate(w, d, r.PathValue("schedule_id"))
}

// handleScheduleActivateAlt: PUT|POST /api/schedules/{id}/activate {"device_id"} [INF], the reference's alternative.
func (s *Simulator) handleScheduleActivateAlt(w http.ResponseWriter, r *http.Request, p principal) error {
	var req struct {
		DeviceID string `json:"device_id"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.DeviceID == "" {
		return unprocessable("device_id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Devices[req.DeviceID]
	if d == nil {
		return notFound("Device not found")
	}
	if err := s.canSeeDevice(p, d); err != nil {
		return err
	}
	return s.activate(w, d, r.PathValue("id"))
}

// activate makes d run schedule id from now on: status.schedule_id and settings.schedule ("<uuid>|<ISO>").
func (s *Simulator) activate(w http.ResponseWriter, d *device, id string) error {
	sc := s.st.Schedules[id]
	switch {
	case sc == nil:
		return notFound("Schedule not found")
	case sc.DeviceType != d.Type:
		return unprocessable("Schedule is for " + sc.DeviceType + " devices, not " + d.Type)
	case sc.PropertyID != 0 && sc.PropertyID != d.PropertyID:
		return unprocessable("Schedule belongs to another property")
	}
	if old := s.st.Schedules[d.ScheduleID]; old != nil {
		old.DeviceIDs = slices.DeleteFunc(old.DeviceIDs, func(x string) bool { return x == d.ID })
	}
	if !slices.Contains(sc.DeviceIDs, d.ID) {
		sc.DeviceIDs = append(sc.DeviceIDs, d.ID)
	}
	d.ScheduleID, d.ScheduleSetAt, d.HoldUntil = sc.ID, s.clock.Now(), time.Time{}
	s.changed()
	writeJSON(w, http.StatusOK, ok("Schedule activated"))
	return nil
}

// runSchedules applies, for every device running a schedule, the latest block that started in (last, now] in the
// hub's zone, as a command would; a manual change holds the schedule off until hold_until. Callers hold s.mu.
func (s *Simulator) runSchedules(last, now time.Time) {
	for _, sc := range s.sortedSchedules() {
		for _, id := range sc.DeviceIDs {
			d := s.st.Devices[id]
			if d == nil || d.ScheduleID != sc.ID || d.Offline || d.HoldUntil.After(now) {
				continue
			}
			h := s.st.Hubs[d.HubID]
			if h == nil || !h.Online {
				continue
			}
			b, at, found := latestBlockStart(sc.Blocks, s.zones.get(h.TimeZone), last, now)
			if !found {
				continue
			}
			cmd := deviceCommand{Mode: b.Mode, HeatingSetpoint: b.HeatingSetpoint, CoolingSetpoint: b.CoolingSetpoint, Power: b.Power}
			s.applyValues(target{hub: h, dev: d}, cmd, at, "")
			d.Source, d.HoldUntil = "schedule", time.Time{}
		}
	}
}

// latestBlockStart finds the last block start in (last, now], looking back at most eight days (a longer jump
// applies only the block in force now, as a hub coming back would).
func latestBlockStart(blocks []scheduleBlock, loc *time.Location, last, now time.Time) (scheduleBlock, time.Time, bool) {
	var best scheduleBlock
	var bestAt time.Time
	found := false
	from := last
	if limit := now.AddDate(0, 0, -8); from.Before(limit) {
		from = limit
	}
	day := from.In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	for ; !day.After(now); day = day.AddDate(0, 0, 1) {
		for _, b := range blocks {
			if !slices.Contains(b.Days, int(day.Weekday())) {
				continue
			}
			hm, err := time.Parse("15:04", b.From)
			if err != nil {
				continue
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
			if at.After(last) && !at.After(now) && (!found || at.After(bestAt)) {
				best, bestAt, found = b, at, true
			}
		}
	}
	return best, bestAt, found
}
