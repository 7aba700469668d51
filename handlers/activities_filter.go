package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// activityQuery is the activity log's filter as the query string gave it, checked: the store's filter, the form's
// values, what could not be used, and the live stream that fits it.
type activityQuery struct {
	filter db.ActivityFilter
	form   views.ActivityFilterData
	errs   []string
	// eventsURL is the scoped stream of this view; "" when a scope id is unknown (no live updates then).
	eventsURL string
	// exact reports whether the stream's scope is the whole filter, so pushed rows can be shown as they come.
	exact bool
}

// Filter input bounds: longer values are cut, not refused.
const (
	maxFilterID   = 100
	maxFilterText = 100
)

// datetime-local layouts, with and without seconds.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// parseActivityQuery reads the filter parameters (property, hub, device, device_type, message_type, who, from, to,
// q, before). Times are read in the zone of the scope's property (or hub), else UTC.
func parseActivityQuery(ctx context.Context, store *db.Store, q url.Values) (activityQuery, error) {
	var aq activityQuery
	f := &aq.filter
	form := &aq.form
	form.Hub, form.Device = filterValue(q.Get("hub"), maxFilterID), filterValue(q.Get("device"), maxFilterID)
	form.DeviceType = filterValue(q.Get("device_type"), maxFilterText)
	form.MessageType = filterValue(q.Get("message_type"), maxFilterText)
	form.Who = filterValue(q.Get("who"), maxFilterText)
	form.Q = filterValue(q.Get("q"), maxQuery)
	f.HubID, f.DeviceID, f.DeviceType, f.MessageType, f.Who, f.Text =
		form.Hub, form.Device, form.DeviceType, form.MessageType, form.Who, form.Q
	zone, known, err := aq.scopeZone(ctx, store, q.Get("property"))
	if err != nil {
		return aq, err
	}
	loc := tz.Load(zone)
	form.Zone = loc.String()
	f.From, form.From = aq.parseTime(q.Get("from"), loc, "From")
	f.To, form.To = aq.parseTime(q.Get("to"), loc, "Until")
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		aq.errs = append(aq.errs, "“From” must be before “Until”: no activity can match.")
	}
	f.Before = parseCursor(q.Get("before"))
	aq.scope(known)
	return aq, nil
}

// scopeZone checks the scope's ids against the mirror and returns the zone its times are read in (the property's,
// else the hub's), and whether every id is known (an unknown one gets no live stream: /events would refuse it).
func (aq *activityQuery) scopeZone(ctx context.Context, store *db.Store, property string) (string, bool, error) {
	f, known, zone := &aq.filter, true, ""
	if v := strings.TrimSpace(property); v != "" {
		aq.form.Property = clip.String(v, maxFilterID)
		p, err := db.Property{}, error(nil)
		id, perr := parseID(v)
		if perr == nil {
			p, err = store.Property(ctx, id)
		}
		switch {
		case perr != nil || errors.Is(err, db.ErrNotFound):
			aq.errs = append(aq.errs, "There is no property “"+aq.form.Property+"”.")
			f.PropertyID, known = -1, false // matches nothing, rather than everything
		case err != nil:
			return "", false, err
		default:
			f.PropertyID, zone = id, p.TimeZone
		}
	}
	if f.HubID != "" || f.DeviceID != "" {
		t, err := store.ResolveTarget(ctx, f.HubID, f.DeviceID)
		if err != nil {
			return "", false, err
		}
		if (f.HubID != "" && !t.HubKnown) || (f.DeviceID != "" && !t.DeviceKnown) {
			known = false // the log may still hold its events
		}
		zone = cmp.Or(zone, t.TimeZone)
	}
	return zone, known, nil
}

// parseTime reads a datetime-local value in loc. A wall time that does not exist (the spring-forward gap) is
// taken as the instant after the gap, as Go's time.Date does; an unreadable value is reported and ignored.
func (aq *activityQuery) parseTime(v string, loc *time.Location, label string) (time.Time, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, ""
	}
	v = clip.String(v, 40)
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), v
		}
	}
	aq.errs = append(aq.errs, "“"+label+"” is not a date and time (use the picker, or YYYY-MM-DDTHH:MM); it was ignored.")
	return time.Time{}, v
}

// scope picks the stream for this view and whether its scope is the whole filter.
func (aq *activityQuery) scope(known bool) {
	if !known {
		return
	}
	f := aq.filter
	scopes := 0
	for _, set := range []bool{f.PropertyID > 0, f.HubID != "", f.DeviceID != ""} {
		if set {
			scopes++
		}
	}
	aq.eventsURL = eventsURL(max(f.PropertyID, 0), f.HubID, f.DeviceID)
	aq.exact = scopes <= 1 && f.DeviceType == "" && f.MessageType == "" && f.Who == "" && f.Text == "" &&
		f.From.IsZero() && f.To.IsZero()
}

// values is the canonical query string of the filter (no paging), for links and exports.
func (aq activityQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	fm := aq.form
	set("property", fm.Property)
	set("hub", fm.Hub)
	set("device", fm.Device)
	set("device_type", fm.DeviceType)
	set("message_type", fm.MessageType)
	set("who", fm.Who)
	set("from", fm.From)
	set("to", fm.To)
	set("q", fm.Q)
	return v
}

// formatCursor and parseCursor carry a keyset position in a link: "<unix ms>.<id>".
func formatCursor(c *db.ActivityCursor) string {
	return strconv.FormatInt(c.At.UnixMilli(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

func parseCursor(s string) *db.ActivityCursor {
	at, id, ok := strings.Cut(s, ".")
	if !ok {
		return nil
	}
	msv, err1 := strconv.ParseInt(at, 10, 64)
	idv, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || idv <= 0 {
		return nil
	}
	return &db.ActivityCursor{At: time.UnixMilli(msv).UTC(), ID: idv}
}

// withQuery joins a path and a query string.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// filterValue makes v valid UTF-8, trims it and cuts it to n bytes (on a rune boundary), trimming again so a cut
// never leaves a trailing space: the parsed filter then reads back the same from its own query string
// (FuzzActivityQuery checks it). Repairing before cutting keeps the result within n bytes.
func filterValue(v string, n int) string {
	return strings.TrimSpace(clip.String(strings.TrimSpace(strings.ToValidUTF8(v, "\uFFFD")), n))
}
