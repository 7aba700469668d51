package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// updateDeviceDetail is the inferred half of PUT /api/devices/{id}: {"device_name", "occupant_setting",
// "property_id"} without commands → Device. property_id null unassigns the device. Callers hold s.mu.
func (s *Simulator) updateDeviceDetail(w http.ResponseWriter, p principal, d *device, body devicePutBody) error {
	if !p.isAgent() {
		return forbidden("Only agents can update device details")
	}
	updated := *d
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"device_name", body.DeviceName, &updated.Name}, {"occupant_setting", body.OccupantSetting, &updated.OccupantSetting}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if v == "" || utf8.RuneCountInString(v) > 100 {
			return unprocessable(f.name + " must be 1 to 100 characters")
		}
		*f.dst = v
	}
	if len(body.PropertyID) > 0 {
		var id flexInt
		if err := json.Unmarshal(body.PropertyID, &id); err != nil {
			return unprocessable("property_id must be an integer or null")
		}
		if id.Set && s.st.Properties[id.Value] == nil {
			return unprocessable("Property not found")
		}
		updated.PropertyID = id.Value
	}
	*d = updated
	s.st.invalidate()
	s.changed()
	writeJSON(w, http.StatusOK, s.deviceView(d))
	return nil
}

// deviceActivityJSON is one device activity item (CONTRACT.md, Devices).
type deviceActivityJSON struct {
	MessageType  string          `json:"message_type"`
	Details      json.RawMessage `json:"details"`
	User         string          `json:"user"`
	ActivityTime string          `json:"activity_time"`
}

// handleDeviceActivities: GET /api/devices/{id}/desired_activities [INF, by analogy with D-hubact]: the hub rules,
// with the device's catalogue message types as events (matched case-insensitively).
func (s *Simulator) handleDeviceActivities(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupDevice(r, p)
	if err != nil {
		return err
	}
	h := s.st.Hubs[d.HubID]
	if h == nil {
		return notFound("Device not found")
	}
	allowed := messagesFor(d.Type)
	q := r.URL.Query()
	var events []string
	for ev := range strings.SplitSeq(q.Get("events"), ",") {
		ev = strings.TrimSpace(ev)
		for _, name := range allowed {
			if strings.EqualFold(ev, name) {
				ev = name
			}
		}
		events = append(events, ev)
	}
	q.Set("events", strings.Join(events, ","))
	loc := s.zones.get(h.TimeZone)
	win, err := parseActivityQuery(q, loc, s.clock.Now(), allowed)
	if err != nil {
		return err
	}
	if err := clipToCompany(&win, h.CompanyChangeDate, loc); err != nil {
		return err
	}
	out := map[string][]deviceActivityJSON{}
	for _, ev := range win.events {
		out[ev] = []deviceActivityJSON{}
	}
	for _, a := range d.Events {
		if _, asked := out[a.MessageType]; asked && !a.At.Before(win.from) && a.At.Before(win.until) {
			details := a.Details
			if len(details) == 0 {
				details = json.RawMessage("null")
			}
			out[a.MessageType] = append(out[a.MessageType], deviceActivityJSON{a.MessageType, details, a.User, rfc3339(a.At)})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
