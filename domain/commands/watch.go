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
	if ob.DeviceID != "" {
		return t.watch["d:"+ob.DeviceID]
	}
	return t.watch["h:"+ob.HubID]
}

// setWatch records the pending records read by a read that began at generation gen. A list cut at the read's
// limit may miss some: the filter then stays off.
func (t *Tracker) setWatch(pending []db.Command, gen uint64) {
	watch := make(map[string]bool, len(pending))
	for _, c := range pending {
		if c.DeviceID != "" {
			watch["d:"+c.DeviceID] = true
		} else {
			watch["h:"+c.HubID] = true
		}
	}
	if len(pending) >= db.MaxCommandLimit {
		gen = 0
	}
	t.watchMu.Lock()
	t.watch, t.watchGen = watch, gen
	t.watchMu.Unlock()
}
