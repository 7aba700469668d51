package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/views"
)

// feedSize is how many recent activities a detail page's live feed shows.
const feedSize = 10

// activityPropertySection, activityHubSection and activityDeviceSection add the live activity feed to the detail
// pages (sections.go), for people who may read the activity log.
func activityPropertySection(r *http.Request, d Deps, p propertyView) (templ.Component, error) {
	return activityFeed(r, d, "property", strconv.FormatInt(p.ID, 10))
}

func activityHubSection(r *http.Request, d Deps, h db.Hub) (templ.Component, error) {
	return activityFeed(r, d, "hub", h.ID)
}

func activityDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	return activityFeed(r, d, "device", dev.ID)
}

func activityFeed(r *http.Request, d Deps, scope, id string) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ViewActivity) {
		return nil, nil
	}
	data, err := feedData(r.Context(), d.Store, scope, id)
	if err != nil {
		return nil, err
	}
	return views.ActivityFeed(data), nil
}

// feedData reads the newest activities of one scope.
func feedData(ctx context.Context, store *db.Store, scope, id string) (views.ActivityFeedData, error) {
	var f db.ActivityFilter
	switch scope {
	case "property":
		pid, err := parseID(id)
		if err != nil {
			return views.ActivityFeedData{}, notFound()
		}
		f.PropertyID = pid
	case "hub":
		f.HubID = id
	default:
		f.DeviceID = id
	}
	items, err := store.RecentActivities(ctx, f, feedSize)
	if err != nil {
		return views.ActivityFeedData{}, err
	}
	q := url.Values{scope: {id}}
	data := views.ActivityFeedData{Scope: scope, RefreshURL: withQuery("/activities/feed", q),
		MoreURL: withQuery("/activities", q)}
	for _, a := range items {
		data.Rows = append(data.Rows, activityRowData(a))
	}
	return data, nil
}

// handleActivityFeed serves GET /activities/feed?property=|hub=|device=: one feed section, which the detail pages
// re-read when their stream (re)opens.
func handleActivityFeed(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		for _, scope := range []string{"device", "hub", "property"} {
			if id := q.Get(scope); id != "" {
				data, err := feedData(r.Context(), d.Store, scope, clip.String(id, maxFilterID))
				if err != nil {
					return err
				}
				return render(w, r, http.StatusOK, views.ActivityFeed(data))
			}
		}
		return badRequest("Say which property, hub or device.", nil)
	})
}
