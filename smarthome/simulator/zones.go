package simulator

import (
	"sync"
	"time"
	_ "time/tzdata" // hub zones must resolve in minimal containers without /usr/share/zoneinfo
)

// zoneCache memoises time.LoadLocation, which reads and parses zone data on every call.
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]*time.Location
}

// get returns the named zone, or UTC for an unknown name (state files are edited by hand; a typo must not crash).
func (z *zoneCache) get(name string) *time.Location {
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	if z.zones == nil {
		z.zones = map[string]*time.Location{}
	}
	z.zones[name] = loc
	return loc
}

// validZone reports whether name is an IANA zone (property and hub updates validate time_zone with it).
func validZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
