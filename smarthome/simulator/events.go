package simulator

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// target is what an event is about: a hub, or a device and its hub.
type target struct {
	hub *hub
	dev *device
}

// envelope is the webhook body (reference §15): hub fields always, device fields for device events, User with a
// capital U, details a string or a number, activity_time epoch ms or "YYYY-MM-DD HH:MM:SS UTC".
type envelope struct {
	HubID         string `json:"hub_id"`
	HomeName      string `json:"home_name"`
	SerialNo      string `json:"serial_no"`
	Address       string `json:"address"`
	PMSDatapullID string `json:"pms_datapull_id"`
	DeviceID      string `json:"device_id,omitempty"`
	DeviceName    string `json:"device_name,omitempty"`
	DeviceType    string `json:"device_type"`
	MessageType   string `json:"message_type"`
	Details       any    `json:"details,omitempty"`
	User          string `json:"User,omitempty"`
	ActivityTime  any    `json:"activity_time"`
}

// activityTimeLayout is the string form of activity_time in the documented hub online example.
const activityTimeLayout = "2006-01-02 15:04:05 UTC"

// emit records a catalogue event in the activity logs and queues its webhook. deviceType is the envelope's
// device_type ("hub" for hub events, which may still name a device, as add_device does). Callers hold s.mu.
func (s *Simulator) emit(t target, deviceType, messageType string, details any, user string, at time.Time) {
	h := t.hub
	env := envelope{
		HubID: h.ID, HomeName: h.HomeName, SerialNo: strconv.FormatInt(h.Serial, 10),
		Address: s.hubAddress(h), PMSDatapullID: pmsID(h), DeviceType: deviceType,
		MessageType: messageType, Details: details, User: user,
	}
	if s.opts.ActivityTimeAsString {
		env.ActivityTime = at.UTC().Format(activityTimeLayout)
	} else {
		env.ActivityTime = at.UnixMilli()
	}
	if t.dev != nil {
		env.DeviceID, env.DeviceName = t.dev.ID, t.dev.Name
		s.logDeviceEvent(t, deviceType, messageType, details, user, at)
	}
	body, err := json.Marshal(env)
	if err != nil { // details are strings and ints from the catalogue: cannot happen
		return
	}
	s.hooks.enqueue(body, messageType, at)
	s.changed()
}

// maxEventsPerLog bounds each device's and hub's activity log.
const maxEventsPerLog = 200

func (s *Simulator) logDeviceEvent(t target, deviceType, messageType string, details any, user string, at time.Time) {
	if deviceType == "hub" { // add_device / remove_device: the hub's log
		node := fmt.Sprint(details)
		t.hub.Activities = appendBounded(t.hub.Activities, hubActivity{Event: messageType, NodeID: node,
			DeviceID: t.dev.ID, DeviceType: t.dev.Type, DeviceName: t.dev.Name, At: at})
		return
	}
	var raw json.RawMessage
	if details != nil {
		raw, _ = json.Marshal(details)
	}
	t.dev.Events = appendBounded(t.dev.Events, deviceActivity{MessageType: messageType, Details: raw, User: user, At: at})
	t.dev.LastActivity = at
}

func appendBounded[T any](s []T, v T) []T {
	if len(s) >= maxEventsPerLog {
		s = append(s[:0], s[len(s)-maxEventsPerLog+1:]...)
	}
	return append(s, v)
}

// hubAddress is the one-line address webhooks and hub lists carry ("5310 W Barry Ave, Chicago, IL, 60641").
func (s *Simulator) hubAddress(h *hub) string {
	if h.StreetAddress == "" {
		return ""
	}
	return h.StreetAddress + ", " + h.City + ", " + h.State + ", " + h.Zipcode
}

// pmsID is the external PMS id of the hub's property, "" for unassigned hubs.
func pmsID(h *hub) string {
	if h.PropertyID == 0 {
		return ""
	}
	return "Rently02|" + strconv.FormatInt(h.PropertyID, 10)
}

// TriggerEvent asks the simulator to act as if a device or hub reported a catalogue event (POST /_sim/events).
type TriggerEvent struct {
	DeviceID    string `json:"device_id,omitempty"`
	HubID       string `json:"hub_id,omitempty"`
	MessageType string `json:"message_type"`
	Details     any    `json:"details,omitempty"` // string or number per the catalogue; nil = the catalogue example
	User        string `json:"user,omitempty"`
}

// Trigger applies the event's state change (Unlock unlocks, leak_detected sets leakage, offline takes the hub
// offline...) at the current simulated time, then delivers the webhook.
func (s *Simulator) Trigger(ev TriggerEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.trigger(ev, s.clock.Now())
}

// trigger is Trigger at a given time; the background loop uses it for delayed events. Callers hold s.mu.
func (s *Simulator) trigger(ev TriggerEvent, at time.Time) error {
	t, devType, err := s.resolveTarget(ev)
	if err != nil {
		return err
	}
	row, ok := lookupMessage(devType, ev.MessageType)
	if !ok && t.dev != nil { // hub events about a device: add_device, remove_device
		devType = "hub"
		row, ok = lookupMessage(devType, ev.MessageType)
	}
	if !ok {
		return unprocessable(fmt.Sprintf("message_type %q is not in the catalogue for device_type %q", ev.MessageType, devType))
	}
	details, err := normalizeDetails(row, ev.Details, t, at)
	if err != nil {
		return err
	}
	user := ""
	if row.User {
		user = cmpOrString(ev.User, row.DefaultUser)
	}
	if row.apply != nil {
		row.apply(t, details, at)
	}
	if row.Name == "unassigned_from_account" { // the hub and its devices left their property
		for _, d := range s.st.idx().devsByHub[t.hub.ID] {
			d.PropertyID = 0
		}
		s.st.invalidate()
	}
	if t.dev == nil && row.Name == "online" {
		s.requeueHub(t.hub.ID) // code removals waited for the hub
	}
	s.emit(t, devType, row.Name, details, user, at)
	return nil
}

func (s *Simulator) resolveTarget(ev TriggerEvent) (target, string, error) {
	if ev.DeviceID != "" {
		d := s.st.Devices[ev.DeviceID]
		if d == nil {
			return target{}, "", notFound("Device not found")
		}
		return target{hub: s.st.Hubs[d.HubID], dev: d}, d.Type, nil
	}
	h := s.st.Hubs[ev.HubID]
	if h == nil {
		return target{}, "", notFound("Hub not found")
	}
	return target{hub: h}, "hub", nil
}

// normalizeDetails converts trigger details to the catalogue's JSON type (numbers become int).
func normalizeDetails(row MessageType, v any, t target, at time.Time) (any, error) {
	if row.Details == detailsNone {
		return nil, nil
	}
	if v == nil {
		if row.Name == "heartbeat" {
			return isoTime(at), nil
		}
		return row.Example, nil
	}
	switch row.Details {
	case detailsNumber:
		switch n := v.(type) {
		case int:
			return n, nil
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1e9 {
				return int(n), nil
			}
		case string:
			if i, err := strconv.Atoi(n); err == nil {
				return i, nil
			}
		}
		return nil, unprocessable(row.Name + " details must be a number")
	default:
		if str, ok := v.(string); ok {
			return str, nil
		}
		return nil, unprocessable(row.Name + " details must be a string")
	}
}

// isoTime is the timestamp layout of device and hub status fields (2021-01-01T08:20:49.224Z).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
