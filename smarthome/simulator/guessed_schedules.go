package simulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// scheduleJSON is the Schedule object of CONTRACT.md.
type scheduleJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	DeviceType string          `json:"device_type"`
	PropertyID *int64          `json:"property_id"`
	Blocks     []scheduleBlock `json:"blocks"`
	DeviceIDs  []string        `json:"device_ids"`
	CreatedAt  string          `json:"created_at"`
	UpdatedAt  string          `json:"updated_at"`
}

func scheduleView(sc *schedule) scheduleJSON {
	ids := sc.DeviceIDs
	if ids == nil {
		ids = []string{}
	}
	return scheduleJSON{sc.ID, sc.Name, sc.DeviceType, optInt64(sc.PropertyID), sc.Blocks, ids,
		rfc3339(sc.CreatedAt), rfc3339(sc.UpdatedAt)}
}

var scheduleTypes = []string{"thermostat", "switch", "dimmable_switch"}

// scheduleRequest is POST and PUT /api/schedules[/{id}]; absent fields keep their value on PUT.
type scheduleRequest struct {
	Name       *string          `json:"name"`
	DeviceType *string          `json:"device_type"`
	PropertyID flexInt          `json:"property_id"`
	Blocks     *[]scheduleBlock `json:"blocks"`
}

// apply validates the request onto sc (a copy the caller commits on success).
func (req scheduleRequest) apply(sc *schedule) error {
	if req.Name != nil {
		sc.Name = strings.TrimSpace(*req.Name)
	}
	if req.DeviceType != nil {
		if len(sc.DeviceIDs) > 0 && *req.DeviceType != sc.DeviceType {
			return unprocessable("device_type cannot change while the schedule is active on devices")
		}
		sc.DeviceType = *req.DeviceType
	}
	if req.PropertyID.Set {
		sc.PropertyID = req.PropertyID.Value
	}
	if req.Blocks != nil {
		sc.Blocks = *req.Blocks
	}
	switch {
	case sc.Name == "" || utf8.RuneCountInString(sc.Name) > 100:
		return unprocessable("name is required and must be at most 100 characters")
	case !slices.Contains(scheduleTypes, sc.DeviceType):
		return unprocessable("device_type must be one of: " + strings.Join(scheduleTypes, ", "))
	case len(sc.Blocks) == 0 || len(sc.Blocks) > 100:
		return unprocessable("blocks must hold 1 to 100 blocks")
	}
	for i, b := range sc.Blocks {
		if err := validateBlock(sc.DeviceType, fmt.Sprintf("blocks[%d]", i), b); err != nil {
			return err
		}
	}
	return checkOverlaps(sc.Blocks)
}

// validateBlock applies the command rules to a block's values.
func validateBlock(deviceType, where string, b scheduleBlock) error {
	if len(b.Days) == 0 {
		return unprocessable(where + ".days must list days 0..6 (Sunday = 0)")
	}
	for _, d := range b.Days {
		if d < 0 || d > 6 {
			return unprocessable(where + ".days must list days 0..6 (Sunday = 0)")
		}
	}
	if err := validateSpan(where, b.From, b.To); err != nil {
		return err
	}
	modes := modeValues[deviceType]
	if b.Mode == nil || !slices.Contains(modes, *b.Mode) {
		return unprocessable(fmt.Sprintf("%s.mode must be one of %v", where, modes))
	}
	isThermo, isDimmer := deviceType == "thermostat", deviceType == "dimmable_switch"
	switch {
	case !isThermo && (b.HeatingSetpoint != nil || b.CoolingSetpoint != nil):
		return unprocessable(where + ": setpoints are for thermostat schedules only")
	case !isDimmer && b.Power != nil:
		return unprocessable(where + ": power is for dimmable_switch schedules only")
	case b.Power != nil && (*b.Power < 0 || *b.Power > 100):
		return unprocessable(where + ".power must be between 0 and 100")
	}
	for _, sp := range []*int{b.HeatingSetpoint, b.CoolingSetpoint} {
		if sp != nil && (*sp < 50 || *sp > 90) {
			return unprocessable(where + ": setpoints must be between 50 and 90")
		}
	}
	if b.HeatingSetpoint != nil && b.CoolingSetpoint != nil && *b.HeatingSetpoint > *b.CoolingSetpoint-3 {
		return unprocessable(where + ": heating_setpoint must be at least 3 below cooling_setpoint")
	}
	return nil
}

// checkOverlaps rejects two blocks covering the same minute of the same day (HH:MM strings sort by time).
func checkOverlaps(blocks []scheduleBlock) error {
	for day := range 7 {
		var spans [][2]string
		for _, b := range blocks {
			if slices.Contains(b.Days, day) {
				spans = append(spans, [2]string{b.From, b.To})
			}
		}
		slices.SortFunc(spans, func(a, b [2]string) int { return cmp.Compare(a[0], b[0]) })
		for i := 1; i < len(spans); i++ {
			if spans[i][0] < spans[i-1][1] {
				return unprocessable(fmt.Sprintf("blocks overlap on day %d", day))
			}
		}
	}
	return nil
}

// handleScheduleCreate: POST /api/schedules [INF] → 201 Schedule.
func (s *Simulator) handleScheduleCreate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req scheduleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var sc schedule
	if err := req.apply(&sc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc.PropertyID != 0 && s.st.Properties[sc.PropertyID] == nil {
		return notFound("Property not found")
	}
	now := s.clock.Now()
	sc.ID, sc.CreatedAt, sc.UpdatedAt, sc.DeviceIDs = newUUID(s.st.rng), now, now, []string{}
	s.st.Schedules[sc.ID] = &sc
	s.changed()
	writeJSON(w, http.StatusCreated, scheduleView(&sc))
	return nil
}

// handleScheduleList: GET /api/schedules?property_id=&device_type=&page=&per_page= [INF].
func (s *Simulator) handleScheduleList(w http.ResponseWriter, r *http.Request, _ principal) error {
	q := r.URL.Query()
	pg, err := parsePage(q)
	if err != nil {
		return err
	}
	propertyID, err := queryInt(q, "property_id")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []scheduleJSON
	for _, sc := range s.sortedSchedules() {
		if (propertyID == 0 || sc.PropertyID == propertyID) && (q.Get("device_type") == "" || sc.DeviceType == q.Get("device_type")) {
			list = append(list, scheduleView(sc))
		}
	}
	writeJSON(w, http.StatusOK, paged("schedules", list, pg))
	return nil
}

func (s *Simulator) sortedSchedules() []*schedule {
	list := make([]*schedule, 0, len(s.st.Schedules))
	for _, sc := range s.st.Schedules {
		list = append(list, sc)
	}
	slices.SortFunc(list, func(a, b *schedule) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID)) })
	return list
}

// handleScheduleUpdate: PUT /api/schedules/{id} [INF] → Schedule.
func (s *Simulator) handleScheduleUpdate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req scheduleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.st.Schedules[r.PathValue("id")]
	if sc == nil {
		return notFound("Schedule not found")
	}
	updated := *sc
	updated.Blocks = slices.Clone(sc.Blocks)
	if err := req.apply(&updated); err != nil {
		return err
	}
	if updated.PropertyID != 0 && s.st.Properties[updated.PropertyID] == nil {
		return notFound("Property not found")
	}
	updated.UpdatedAt = s.clock.Now()
	*sc = updated
	s.changed()
	writeJSON(w, http.StatusOK, scheduleView(sc))
	return nil
}

// handleScheduleDelete: DELETE /api/schedules/{id} [INF]; its devices stop running it.
func (s *Simulator) handleScheduleDelete(w http.ResponseWriter, r *http.Request, _ principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.st.Schedules[r.PathValue("id")]
	if sc == nil {
		return notFound("Schedule not found")
	}
	s.deactivateSchedule(sc)
	delete(s.st.Schedules, sc.ID)
	s.changed()
	writeJSON(w, http.StatusOK, ok("Schedule deleted"))
	return nil
}

// deactivateSchedule stops every device running sc. Callers hold s.mu.
func (s *Simulator) deactivateSchedule(sc *schedule) {
	for _, id := range sc.DeviceIDs {
		if d := s.st.Devices[id]; d != nil && d.ScheduleID == sc.ID {
			d.ScheduleID, d.ScheduleSetAt = "", time.Time{}
		}
	}
	sc.DeviceIDs = []string{}
}
