package commands

import (
	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
)

// concerns reports whether ob may settle a pending record: what observe would look up (the device's records, or
// the hub's own when the event names no device) has one, or the tracker cannot tell.
func (t *Tracker) concerns(ob observe.Observation) bool {
	t.watchMu.RLock()
	defer t.watchMu.RUnlock()
	if t.watchGen != t.gen.Load() {
		return true
	}
	return concernsSet(t.watch, ob)
}

// concernsSet reports whether watch (from watchSet) names what observe would look up for ob.
func concernsSet(watch map[string]bool, ob observe.Observation) bool {
	if ob.DeviceID != "" {
		return watch["d:"+ob.DeviceID]
	}
	return watch["h:"+ob.HubID]
}

// watchSet keys the devices ("d:" id) and hubs ("h:" id, hub-level records) of pending records.
func watchSet(pending []db.Command) map[string]bool {
	watch := make(map[string]bool, len(pending))
	for _, c := range pending {
		if c.DeviceID != "" {
			watch["d:"+c.DeviceID] = true
		} else {
			watch["h:"+c.HubID] = true
		}
	}
	return watch
}

// setWatch records the pending records read by a read that began at generation gen. A list cut at the read's
// limit may miss some: the filter then stays off.
func (t *Tracker) setWatch(pending []db.Command, gen uint64) {
	watch := watchSet(pending)
	if len(pending) >= db.MaxCommandLimit {
		gen = 0
	}
	t.watchMu.Lock()
	t.watch, t.watchGen = watch, gen
	t.watchMu.Unlock()
}
