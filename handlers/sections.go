package handlers

import (
	"net/http"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
)

// A section builder adds one feature's part (lock codes, reservations, commands, activity…) to a detail page.
// It returns nil when the viewer may not see it or there is nothing to show. Each feature appends its builder to
// the lists below; the pages render the sections in this order.
type (
	propertySection func(r *http.Request, d Deps, p propertyView) (templ.Component, error)
	hubSection      func(r *http.Request, d Deps, h db.Hub) (templ.Component, error)
	deviceSection   func(r *http.Request, d Deps, dev db.Device, hub db.Hub) (templ.Component, error)
)

var (
	propertySections = []propertySection{
		// sections: property
		alertsPropertySection,
		automationsPropertySection,
		lockCodesPropertySection,
		accessPropertySection,
		activityPropertySection,
		portfolioPropertySection,
	}
	hubSections = []hubSection{
		// sections: hub
		alertsHubSection,
		unlockHubSection,
		hubCommandsSection,
		hubHistorySection,
		activityHubSection,
		portfolioHubSection,
	}
	deviceSections = []deviceSection{
		// sections: device
		alertsDeviceSection,
		lockCodesDeviceSection,
		unlockDeviceSection,
		deviceCommandsSection,
		deviceHistorySection,
		activityDeviceSection,
		scheduleSection,
		portfolioDeviceSection,
		deviceEditSection,
	}
)

// propertyView is what the property page has already read for its sections: the property and its devices, so a
// section does not read them again.
type propertyView struct {
	db.Property
	Devices []db.Device
}

func propertySectionsFor(r *http.Request, d Deps, p propertyView) ([]templ.Component, error) {
	var out []templ.Component
	for _, b := range propertySections {
		c, err := b(r, d, p)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

func hubSectionsFor(r *http.Request, d Deps, h db.Hub) ([]templ.Component, error) {
	var out []templ.Component
	for _, b := range hubSections {
		c, err := b(r, d, h)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

func deviceSectionsFor(r *http.Request, d Deps, dev db.Device, hub db.Hub) ([]templ.Component, error) {
	var out []templ.Component
	for _, b := range deviceSections {
		c, err := b(r, d, dev, hub)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}
