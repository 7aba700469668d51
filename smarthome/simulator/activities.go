package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// activityDateLayout is MM/DD/YYYY, the documented layout of from_date and to_date [DOC D-hubact].
const activityDateLayout = "01/02/2006"

// hubEvents are the events the hub activities route accepts [DOC D-hubact].
var hubEvents = []string{"add_device", "remove_device"}

// activityWindow is a validated activities query: the events asked for and [from, until) in the hub's zone.
type activityWindow struct {
	events      []string
	from, until time.Time
	toDay       time.Time // the to_date day at 00:00, for the company-change rule
}

// parseActivityQuery applies the documented 422 rules: events required and limited to allowed; both dates or neither
// (default: the last week up to today); MM/DD/YYYY; from_date not after to_date; at most one week apart.
func parseActivityQuery(q url.Values, loc *time.Location, now time.Time, allowed []string) (activityWindow, error) {
	var w activityWindow
	for ev := range strings.SplitSeq(q.Get("events"), ",") {
		ev = strings.TrimSpace(ev)
		switch {
		case ev == "":
			continue
		case !slices.Contains(allowed, ev):
			return w, unprocessable(fmt.Sprintf("Invalid event %q: allowed events are %s", ev, strings.Join(allowed, ", ")))
		case !slices.Contains(w.events, ev):
			w.events = append(w.events, ev)
		}
	}
	if len(w.events) == 0 {
		return w, unprocessable("events is required: " + strings.Join(allowed, ", "))
	}
	fromS, toS := strings.TrimSpace(q.Get("from_date")), strings.TrimSpace(q.Get("to_date"))
	if (fromS == "") != (toS == "") {
		return w, unprocessable("from_date and to_date must be given together")
	}
	local := now.In(loc)
	to := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -7)
	if fromS != "" {
		var err error
		if from, err = time.ParseInLocation(activityDateLayout, fromS, loc); err != nil {
			return w, unprocessable("from_date must be in MM/DD/YYYY format")
		}
		if to, err = time.ParseInLocation(activityDateLayout, toS, loc); err != nil {
			return w, unprocessable("to_date must be in MM/DD/YYYY format")
		}
	}
	if from.After(to) {
		return w, unprocessable("from_date must not be after to_date")
	}
	if to.After(from.AddDate(0, 0, 7)) {
		return w, unprocessable("The date range cannot be longer than one week")
	}
	w.from, w.until, w.toDay = from, to.AddDate(0, 0, 1), to
	return w, nil
}

// clipToCompany applies company_change_date: a window entirely before it is 403; one that overlaps it starts at it
// (change Jan 10, from 01/07, to 01/12 → data Jan 10–12) [DOC D-hubact].
func clipToCompany(w *activityWindow, changeDate string, loc *time.Location) error {
	if changeDate == "" {
		return nil
	}
	change, err := time.ParseInLocation("2006-01-02", changeDate, loc)
	if err != nil {
		return nil // a malformed date in a hand-edited state file restricts nothing
	}
	if w.toDay.Before(change) {
		return forbidden("You do not have access to this hub's activities before " + change.Format(activityDateLayout))
	}
	if w.from.Before(change) {
		w.from = change
	}
	return nil
}

// hubActivityJSON is one add_device/remove_device item (CONTRACT.md).
type hubActivityJSON struct {
	NodeID       string `json:"node_id"`
	DeviceID     string `json:"device_id"`
	DeviceType   string `json:"device_type"`
	DeviceName   string `json:"device_name"`
	ActivityTime string `json:"activity_time"`
}

// handleHubActivities: GET /api/hubs/{id}/desired_activities [DOC D-hubact]. 403 for residents (route access), an
// unknown hub, another company's hub, or a window before the hub's company_change_date; 422 for the query rules.
func (s *Simulator) handleHubActivities(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.st.Hubs[r.PathValue("id")]
	if h == nil {
		return forbidden("Hub not found")
	}
	if !s.canSeeHub(p, h) {
		return forbidden("You do not have access to this hub")
	}
	loc := s.zones.get(h.TimeZone)
	win, err := parseActivityQuery(r.URL.Query(), loc, s.clock.Now(), hubEvents)
	if err != nil {
		return err
	}
	if err := clipToCompany(&win, h.CompanyChangeDate, loc); err != nil {
		return err
	}
	out := map[string][]hubActivityJSON{}
	for _, ev := range win.events {
		out[ev] = []hubActivityJSON{}
	}
	for _, a := range h.Activities {
		if _, asked := out[a.Event]; asked && !a.At.Before(win.from) && a.At.Before(win.until) {
			out[a.Event] = append(out[a.Event], hubActivityJSON{a.NodeID, a.DeviceID, a.DeviceType, a.DeviceName, rfc3339(a.At)})
		}
	}
	for _, items := range out { // RFC 3339 UTC strings sort chronologically
		slices.SortStableFunc(items, func(a, b hubActivityJSON) int { return strings.Compare(a.ActivityTime, b.ActivityTime) })
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
