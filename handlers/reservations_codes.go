package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// accessCodeState is a lock code's state on each lock as the upstream last reported it. The PIN is never kept.
type accessCodeState struct {
	gone    bool // the upstream no longer has the code: it is off every lock
	devices []smarthome.LockCodeDevice
	read    time.Time
}

// accessCodeStates caches code states briefly: progress views poll every few seconds, from several browsers.
type accessCodeStates struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]accessCodeState
}

func newAccessCodeStates(ttl time.Duration) *accessCodeStates {
	return &accessCodeStates{ttl: ttl, m: map[string]accessCodeState{}}
}

func (c *accessCodeStates) get(id string, now time.Time) (accessCodeState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[id]
	return st, ok && now.Sub(st.read) < c.ttl
}

func (c *accessCodeStates) put(id string, st accessCodeState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 1000 { // forget expired entries before the map grows
		for k, v := range c.m {
			if st.read.Sub(v.read) >= c.ttl {
				delete(c.m, k)
			}
		}
	}
	c.m[id] = st
}

// forget drops a code's cached state after the dashboard changed it, so the next read shows the change.
func (c *accessCodeStates) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// accessCodeState reads a lock code's per-lock state, through the cache.
func (a *access) readCodeState(ctx context.Context, id string) (accessCodeState, error) {
	now := a.now()
	if st, ok := a.codes.get(id, now); ok {
		return st, nil
	}
	lc, err := a.Upstream.CodeState(ctx, id)
	st := accessCodeState{read: now}
	switch {
	case errors.Is(err, smarthome.ErrNotFound):
		st.gone = true
	case err != nil:
		return accessCodeState{}, fmt.Errorf("lock code %s: %w", id, err)
	default:
		st.devices = lc.Devices
	}
	a.codes.put(id, st)
	return st, nil
}

// removed reports whether the code is off every lock.
func (st accessCodeState) removed() bool {
	if st.gone {
		return true
	}
	for _, d := range st.devices {
		if d.Status != smarthome.CodeRemoved {
			return false
		}
	}
	return len(st.devices) > 0
}

// codeStatus reads a code's state and shows it; pollURL is kept while a change is in flight or the state could
// not be read, so the fragment asks again. names maps device ids to lock names.
func (a *access) codeStatus(ctx context.Context, lockCodeID string, names map[string]string, loc *time.Location,
	domid, pollURL string) views.CodeStatusData {
	out := views.CodeStatusData{DOMID: domid}
	if lockCodeID == "" {
		out.Summary, out.Kind = "No code: the property had no lock when this was made", "muted"
		return out
	}
	st, err := a.readCodeState(ctx, lockCodeID)
	if err != nil {
		out.Error = "The code's state could not be read from the Smart Home service (" + upstream.ErrorText(err) + "); it is asked again."
		out.PollURL = pollURL
		return out
	}
	if st.removed() {
		out.Summary, out.Kind = "Removed from every lock", "ok"
	}
	counts := map[string]int{}
	for _, d := range st.devices {
		counts[d.Status]++
		l := views.CodeLockData{Name: names[d.DeviceID], Status: d.Status, Error: d.Error}
		if l.Name == "" {
			l.Name = "Lock " + clip.String(d.DeviceID, 8)
		}
		upd := d.UpdatedAt
		l.Updated, l.UpdatedISO = localTimes(&upd, loc)
		out.Locks = append(out.Locks, l)
	}
	n := len(st.devices)
	switch {
	case out.Summary != "":
	case counts[smarthome.CodeRemoving] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Being removed: %d of %d locks done", counts[smarthome.CodeRemoved], n), "warn"
	case counts[smarthome.CodeSetting] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Being set: %d of %d locks done", counts[smarthome.CodeSet], n), "info"
	case counts[smarthome.CodeFailed] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Failed on %d of %d locks", counts[smarthome.CodeFailed], n), "danger"
	case n == 0:
		out.Summary, out.Kind = "On no lock", "muted"
	default:
		out.Summary, out.Kind = fmt.Sprintf("Set on %d of %d locks", counts[smarthome.CodeSet], n), "ok"
	}
	if counts[smarthome.CodeRemoving] > 0 || counts[smarthome.CodeSetting] > 0 {
		out.PollURL = pollURL
	}
	return out
}

// lockNames maps the ids of a property's devices to their names, for the per-lock rows.
func (a *access) lockNames(ctx context.Context, propertyID int64) (map[string]string, error) {
	devs, err := a.Store.DevicesByProperty(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(devs))
	for _, d := range devs {
		names[d.ID] = deviceName(d)
	}
	return names, nil
}
