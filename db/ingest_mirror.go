package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// LiveChange is what one webhook says about the mirror's live state. Nil fields leave a field alone. Each field
// keeps the activity time of the newest webhook applied to it (live_marks), and a field is changed only by a
// webhook at least as new: deliveries retried out of order never roll state back. A full sync always takes the
// upstream's word and is not subject to this.
type LiveChange struct {
	HubID    string
	DeviceID string    // "" for a hub event
	At       time.Time // the webhook's activity_time

	HubOnline   *bool
	Heartbeat   bool    // the hub reported a heartbeat at At (it is online, and last_heartbeat_at moves)
	PowerSource *string // "external" or "battery"

	DeviceOnline *bool
	Battery      *int                       // percent; also written to the status object's "battery"
	Alert        *string                    // raise this alert (one of the Alert constants), by precedence
	ClearAlert   string                     // clear the alert if it is this one
	State        map[string]json.RawMessage // status keys to replace ("mode", "leakage", ...)
}

// HubChange is a hub's mirrored row before and after a webhook changed it.
type HubChange struct{ Before, After Hub }

// DeviceChange is a device's mirrored row before and after a webhook changed it.
type DeviceChange struct{ Before, After Device }

// alertRank orders alerts as the sync derives them from a status (handlers' readStatus): a device shows its most
// urgent one.
var alertRank = map[string]int{"": 0, AlertTamper: 1, AlertJammed: 2, AlertSmoke: 3, AlertLeak: 4}

// entityMarks is one entity's marks within a batch, checked against one change's activity time.
type entityMarks struct {
	c      *markCache
	entity string
	at     int64
	seen   map[string]int64
}

func (c *markCache) entity(entity string, at time.Time) *entityMarks {
	return &entityMarks{c: c, entity: entity, at: ms(at), seen: c.marksOf(entity)}
}

// fresh reports whether field may take this change's value, and if so records that it moves.
func (m *entityMarks) fresh(field string) bool {
	if v, ok := m.seen[field]; ok && v > m.at {
		return false
	}
	m.c.move(m.entity, field, m.at)
	return true
}

// touchesHub and touchesDevice say which mirrored rows a change may write.
func (c LiveChange) touchesHub() bool {
	return c.HubOnline != nil || c.Heartbeat || c.PowerSource != nil
}

func (c LiveChange) touchesDevice() bool {
	return c.DeviceID != "" && (c.DeviceOnline != nil || c.Battery != nil || c.Alert != nil || c.ClearAlert != "" || len(c.State) > 0)
}

// applyLive applies c to the batch's copy of the mirror (markCache.prefetch read what it touches; flush writes
// it). Unknown hubs and devices are left alone (the next sync brings them); the returned changes are nil when
// nothing visible changed.
func applyLive(marks *markCache, c LiveChange) (*HubChange, *DeviceChange, error) {
	var hc *HubChange
	var dc *DeviceChange
	var err error
	if c.touchesHub() {
		hc = applyHubLive(marks, c)
	}
	if c.touchesDevice() {
		if dc, err = applyDeviceLive(marks, c); err != nil {
			return nil, nil, err
		}
	}
	return hc, dc, nil
}

func applyHubLive(marks *markCache, c LiveChange) *HubChange {
	cur := marks.hubs[c.HubID] // prefetch read every hub the batch touches; nil: not in the mirror
	if cur == nil {
		return nil
	}
	m := marks.entity("hub:"+c.HubID, c.At)
	before := *cur
	after := before
	online := c.HubOnline
	if c.Heartbeat {
		if m.fresh("heartbeat") {
			at := stored(c.At)
			after.LastHeartbeatAt = &at
		}
		online = ptrTo(true) // a hub that beats is online
	}
	if online != nil && m.fresh("online") {
		after.Online = *online
		after.Status = map[bool]string{true: "Online", false: "Offline"}[*online]
	}
	if c.PowerSource != nil && m.fresh("power_source") {
		after.PowerSource = *c.PowerSource
	}
	if online != nil && *online { // the watchdog's "last sign of life", judged by our clock (seen_at)
		marks.move(m.entity, "alive", m.at)
	}
	if after.Online == before.Online && after.Status == before.Status && after.PowerSource == before.PowerSource &&
		equalTimes(after.LastHeartbeatAt, before.LastHeartbeatAt) {
		return nil
	}
	*cur = after
	marks.dirty["hub:"+c.HubID] = true
	return &HubChange{Before: before, After: after}
}

func applyDeviceLive(marks *markCache, c LiveChange) (*DeviceChange, error) {
	cur := marks.devices[c.DeviceID] // prefetch read every device the batch touches; nil: not in the mirror
	if cur == nil {
		return nil, nil
	}
	m := marks.entity("device:"+c.DeviceID, c.At)
	before := *cur
	after := before
	state := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(before.State), &state) // an unreadable status is rebuilt from what the webhooks say
	stateChanged := false
	setState := func(key string, v json.RawMessage) {
		if !bytes.Equal(compactJSON(state[key]), compactJSON(v)) {
			state[key] = v
			stateChanged = true
		}
	}
	if c.DeviceOnline != nil && m.fresh("online") {
		after.Online = *c.DeviceOnline
	}
	if c.Battery != nil && m.fresh("battery") {
		after.Battery = ptrTo(*c.Battery)
		if _, reported := state["battery"]; reported {
			setState("battery", json.RawMessage(fmt.Sprint(*c.Battery)))
		}
	}
	if (c.Alert != nil || c.ClearAlert != "") && m.fresh("alert") {
		if c.ClearAlert != "" && after.Alert == c.ClearAlert {
			after.Alert = ""
		}
		if c.Alert != nil && validAlert(*c.Alert) && alertRank[*c.Alert] >= alertRank[after.Alert] {
			after.Alert = *c.Alert
		}
	}
	for key, v := range c.State {
		if m.fresh("state." + key) {
			setState(key, v)
		}
	}
	if stateChanged {
		b, err := json.Marshal(state)
		if err != nil {
			return nil, fmt.Errorf("device %s status: %w", c.DeviceID, err)
		}
		after.State = string(b)
	}
	if !stateChanged && after.Online == before.Online && after.Alert == before.Alert && equalInts(after.Battery, before.Battery) {
		return nil, nil
	}
	if at := stored(c.At); at.After(before.StateChangedAt) {
		after.StateChangedAt = at
	}
	*cur = after
	marks.dirty["device:"+c.DeviceID] = true
	return &DeviceChange{Before: before, After: after}, nil
}

func compactJSON(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func ptrTo[T any](v T) *T { return &v }

func equalTimes(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func equalInts(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
