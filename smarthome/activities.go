package smarthome

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// MaxActivityRangeDays is the longest from_date..to_date range the activity routes accept.
const MaxActivityRangeDays = 7

// Hub activity events (reference §11).
const (
	EventAddDevice    = "add_device"
	EventRemoveDevice = "remove_device"
)

// ActivityQuery selects activities. From and To are calendar dates, read in their own location; both or neither
// must be set (neither: the server's last week). Events is required.
type ActivityQuery struct {
	From, To time.Time
	Events   []string
}

// validate applies the documented rules before sending, so the caller gets the reason rather than a bare 422.
func (q ActivityQuery) validate(allowed []string) error {
	if len(q.Events) == 0 {
		return validationError("events is required")
	}
	for _, e := range q.Events {
		if e == "" || strings.Contains(e, ",") {
			return validationError("event %q is empty or contains a comma", e)
		}
		if allowed != nil && !slices.Contains(allowed, e) {
			return validationError("event %q: want one of %s", e, strings.Join(allowed, ", "))
		}
	}
	if q.From.IsZero() != q.To.IsZero() {
		return validationError("give both from and to dates, or neither")
	}
	if q.From.IsZero() {
		return nil
	}
	days := civilDays(q.From, q.To)
	if days < 0 {
		return validationError("from date %s is after to date %s", q.From.Format(ActivityDateLayout), q.To.Format(ActivityDateLayout))
	}
	if days > MaxActivityRangeDays {
		return validationError("date range of %d days is longer than %d", days, MaxActivityRangeDays)
	}
	return nil
}

func (q ActivityQuery) values() url.Values {
	v := url.Values{"events": {strings.Join(q.Events, ",")}}
	if !q.From.IsZero() {
		v.Set("from_date", q.From.Format(ActivityDateLayout))
		v.Set("to_date", q.To.Format(ActivityDateLayout))
	}
	return v
}

// HubActivity is one add_device/remove_device event of a hub.
type HubActivity struct {
	NodeID       FlexString `json:"node_id"`
	DeviceID     string     `json:"device_id"`
	DeviceType   string     `json:"device_type"`
	DeviceName   string     `json:"device_name"`
	ActivityTime time.Time  `json:"activity_time"`
}

// DeviceActivity is one event of a device; MessageType and Details follow the webhook catalogue.
type DeviceActivity struct {
	MessageType  string     `json:"message_type"`
	Details      FlexString `json:"details"`
	User         string     `json:"user"`
	ActivityTime time.Time  `json:"activity_time"`
}

// DesiredActivities returns a hub's activities keyed by event. q.Events must be drawn from add_device and
// remove_device; the date rules are checked before sending (an error matching ErrValidation). Residents, and
// agents without access to the hub, get an error matching ErrForbidden.
//
// API: GET /api/hubs/{hub_id}/desired_activities [DOC D-hubact; reply shape INF]
func (s *HubsService) DesiredActivities(ctx context.Context, id string, q ActivityQuery) (map[string][]HubActivity, *Response, error) {
	if err := q.validate([]string{EventAddDevice, EventRemoveDevice}); err != nil {
		return nil, nil, err
	}
	var out map[string][]HubActivity
	resp, err := s.client.get(ctx, path(q.values(), "hubs", id, "desired_activities"), &out)
	return out, resp, err
}

// DesiredActivities returns a device's activities keyed by event; Events are webhook message types such as
// "Lock", "Unlock", "lock_code_added". The date rules are those of the hub route.
//
// API: GET /api/devices/{device_id}/desired_activities [INF, by analogy with DOC D-hubact]
func (s *DevicesService) DesiredActivities(ctx context.Context, id string, q ActivityQuery) (map[string][]DeviceActivity, *Response, error) {
	if err := q.validate(nil); err != nil {
		return nil, nil, err
	}
	var out map[string][]DeviceActivity
	resp, err := s.client.get(ctx, path(q.values(), "devices", id, "desired_activities"), &out)
	return out, resp, err
}
