package smarthome

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event is one smart-home webhook delivery (reference §15): the hub fields, the device fields for device
// events, message_type, details and activity_time. Raw keeps the exact bytes for storage and dedupe; Extra keeps
// any field this type does not know, so nothing the upstream sent is lost.
type Event struct {
	HubID         string          `json:"hub_id"`
	HomeName      string          `json:"home_name"`
	SerialNo      FlexString      `json:"serial_no"` // a string in webhooks, a number in the hub list
	Address       string          `json:"address"`
	PMSDatapullID string          `json:"pms_datapull_id"`
	DeviceID      string          `json:"device_id,omitempty"`
	DeviceName    string          `json:"device_name,omitempty"`
	DeviceType    string          `json:"device_type,omitempty"` // absent in older hub events: see EffectiveDeviceType
	MessageType   string          `json:"message_type"`          // verbatim; casing varies ("online", "Lock")
	Details       json.RawMessage `json:"details,omitempty"`     // a string or a number
	User          string          `json:"User,omitempty"`        // capital U, as sent
	ActivityTime  ActivityTime    `json:"activity_time"`

	Raw   []byte                     `json:"-"`
	Extra map[string]json.RawMessage `json:"-"`
}

// ErrBadEvent matches every error of ParseEvent.
var ErrBadEvent = errors.New("smarthome: bad webhook event")

// ParseEvent decodes a webhook body. It rejects a body that is not a JSON object, lacks hub_id or message_type,
// or has a missing or unreadable activity_time; text fields that arrive as numbers are kept as their digits.
func ParseEvent(body []byte) (*Event, error) {
	var fields map[string]json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrBadEvent)
	}
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	ev := &Event{Raw: bytes.Clone(body)}
	text := map[string]*string{
		"hub_id": &ev.HubID, "home_name": &ev.HomeName, "address": &ev.Address, "pms_datapull_id": &ev.PMSDatapullID,
		"device_id": &ev.DeviceID, "device_name": &ev.DeviceName, "device_type": &ev.DeviceType,
		"message_type": &ev.MessageType, "User": &ev.User, "serial_no": (*string)(&ev.SerialNo),
	}
	for key, raw := range fields {
		switch dst, known := text[key]; {
		case known:
			var f FlexString
			if err := f.UnmarshalJSON(raw); err != nil {
				return nil, fmt.Errorf("%w: %s: want a string", ErrBadEvent, key)
			}
			*dst = string(f)
		case key == "details":
			if string(bytes.TrimSpace(raw)) != "null" {
				ev.Details = bytes.Clone(raw)
			}
		case key == "activity_time":
			if err := ev.ActivityTime.UnmarshalJSON(raw); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
			}
		default:
			if ev.Extra == nil {
				ev.Extra = map[string]json.RawMessage{}
			}
			ev.Extra[key] = bytes.Clone(raw)
		}
	}
	switch {
	case ev.HubID == "":
		return nil, fmt.Errorf("%w: hub_id is missing", ErrBadEvent)
	case ev.MessageType == "":
		return nil, fmt.Errorf("%w: message_type is missing", ErrBadEvent)
	case fields["activity_time"] == nil:
		return nil, fmt.Errorf("%w: activity_time is missing", ErrBadEvent)
	}
	return ev, nil
}

// EffectiveDeviceType is DeviceType, or "hub" for an event that names neither a device type nor a device (the
// older hub events omit device_type).
func (e *Event) EffectiveDeviceType() string {
	if e.DeviceType == "" && e.DeviceID == "" {
		return "hub"
	}
	return e.DeviceType
}

// DetailsString renders details as text: a string as is, a number as its digits, anything else as compact JSON,
// absent as "".
func (e *Event) DetailsString() string {
	raw := bytes.TrimSpace(e.Details)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// ActivityTime is a webhook's activity_time: epoch milliseconds (a number or a string of digits) or the string
// "2006-01-02 15:04:05 UTC". It is always UTC.
type ActivityTime struct{ time.Time }

// UnmarshalJSON accepts both documented forms.
func (a *ActivityTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("smarthome: activity_time: %w", err)
		}
		s = strings.TrimSpace(s)
	} else if s == "null" || s == "" {
		return errors.New("smarthome: activity_time is null")
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		a.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	t, err := time.Parse(WebhookTimeLayout, s)
	if err != nil {
		return fmt.Errorf("smarthome: activity_time %.40q: want epoch milliseconds or %q", s, WebhookTimeLayout)
	}
	a.Time = t.UTC()
	return nil
}

// MarshalJSON writes epoch milliseconds, the form most deliveries use.
func (a ActivityTime) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatInt(a.UnixMilli(), 10)), nil
}
