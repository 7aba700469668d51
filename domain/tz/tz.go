// Package tz loads the properties' time zones. Every time the dashboard shows is in the property's zone.
package tz

import (
	"sync"
	"time"
)

// Layout is how a local time is written on pages, in exports and in messages.
const Layout = "Jan 2, 2006 3:04 PM MST"

// zones caches parsed time zones: time.LoadLocation reads and parses tzdata on every call, which showed up as a
// seventh of a list page's CPU. The set of zones is small and fixed, so the cache needs no eviction.
var zones sync.Map // name → *time.Location

// Load returns the named IANA zone, or UTC when the name is empty or unknown (a bad zone never fails a page).
func Load(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, loc)
	return loc
}
