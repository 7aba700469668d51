package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// historyDateLayout is how the history form's dates are typed: MM/DD/YYYY, the upstream's own layout.
const historyDateLayout = smarthome.ActivityDateLayout

// historyTarget is what a history section reads: a hub's or a device's activities, with dates in the hub's zone.
type historyTarget struct {
	kind    string // "hub" or "device"
	id      string
	devType string
	loc     *time.Location
}

func (t historyTarget) allowed() []string {
	if t.kind == "hub" {
		return hubHistoryEvents
	}
	return deviceHistoryEvents[t.devType]
}

func hubHistorySection(r *http.Request, d Deps, h db.Hub) (templ.Component, error) {
	data, _ := loadHistory(r, d, historyTarget{kind: "hub", id: h.ID, loc: tz.Load(h.TimeZone)})
	return views.HistorySection(data), nil
}

func deviceHistorySection(r *http.Request, d Deps, dev db.Device, h db.Hub) (templ.Component, error) {
	t := historyTarget{kind: "device", id: dev.ID, devType: dev.Type, loc: tz.Load(h.TimeZone)}
	if len(t.allowed()) == 0 {
		return nil, nil
	}
	data, _ := loadHistory(r, d, t)
	return views.HistorySection(data), nil
}

// handleHistory: GET /hubs/{id}/history and GET /devices/{id}/history answer the history section with the result
// of the form's query (the form falls back to a GET of the page itself without JavaScript).
func handleHistory(d Deps, kind string) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		t := historyTarget{kind: kind}
		hubID := r.PathValue("id")
		if kind == "device" {
			dev, err := d.Store.Device(ctx, r.PathValue("id"))
			if err != nil {
				return err
			}
			t.id, t.devType, hubID = dev.ID, dev.Type, dev.HubID
		}
		h, err := d.Store.Hub(ctx, hubID)
		if err != nil {
			return err
		}
		if kind == "hub" {
			t.id = h.ID
		}
		t.loc = tz.Load(h.TimeZone)
		data, status := loadHistory(r, d, t)
		return render(w, r, status, views.HistorySection(data))
	})
}

// loadHistory fills the history form from the query and, when the form was submitted, runs the upstream query.
// It returns the answer's status: 422 for a form problem, the upstream's refusal status, or 200.
func loadHistory(r *http.Request, d Deps, t historyTarget) (views.HistoryData, int) {
	q := r.URL.Query()
	today := historyDay(time.Now().In(t.loc), t.loc)
	data := views.HistoryData{Target: t.kind, ID: t.id, Zone: t.loc.String(),
		From: today.AddDate(0, 0, -smarthome.MaxActivityRangeDays).Format(historyDateLayout), To: today.Format(historyDateLayout)}
	_, submitted := q["history_from"]
	chosen := q["history_events"]
	for _, ev := range t.allowed() {
		data.Events = append(data.Events, views.HistoryEventData{Value: ev, Label: historyEventLabel(ev),
			Checked: !submitted || slices.Contains(chosen, ev)})
	}
	if !submitted {
		return data, http.StatusOK
	}
	data.From, data.To = clip.String(strings.TrimSpace(q.Get("history_from")), 20), clip.String(strings.TrimSpace(q.Get("history_to")), 20)
	query, err := parseHistoryQuery(data.From, data.To, chosen, t.allowed(), t.loc)
	if err != nil {
		fe, _ := asCmdFormError(err)
		data.Error, data.ErrorField = fe.msg, fe.field
		return data, http.StatusUnprocessableEntity
	}
	rows, err := fetchHistory(r.Context(), d.Upstream, t, query)
	if err != nil {
		status, msg := classify(err)
		if errors.Is(err, smarthome.ErrValidation) || errors.Is(err, smarthome.ErrForbidden) {
			status = historyUpstreamStatus(err)
			msg = "The Smart Home service refused this history request (" + strconv.Itoa(status) + "): " + upstream.Message(err)
		}
		data.Refused = msg
		return data, status
	}
	data.Ran, data.Rows = true, rows
	return data, http.StatusOK
}

// parseHistoryQuery applies the documented rules before asking: both dates, MM/DD/YYYY in the hub's zone, from not
// after to, at most 7 days apart (counted in calendar days, so a daylight-saving change does not shorten the
// limit), and at least one allowed event.
func parseHistoryQuery(fromS, toS string, events, allowed []string, loc *time.Location) (smarthome.ActivityQuery, error) {
	var q smarthome.ActivityQuery
	from, err := time.ParseInLocation(historyDateLayout, fromS, loc)
	if err != nil {
		return q, cmdInvalid("history_from", "From must be a date written MM/DD/YYYY, e.g. 03/14/2027.")
	}
	to, err := time.ParseInLocation(historyDateLayout, toS, loc)
	if err != nil {
		return q, cmdInvalid("history_to", "To must be a date written MM/DD/YYYY, e.g. 03/21/2027.")
	}
	days := historyCalendarDays(from, to)
	switch {
	case days < 0:
		return q, cmdInvalid("history_from", "From must not be after To.")
	case days > smarthome.MaxActivityRangeDays:
		return q, cmdInvalid("history_to", "The range is "+strconv.Itoa(days)+" days long; the Smart Home service allows at most "+
			strconv.Itoa(smarthome.MaxActivityRangeDays)+".")
	}
	for _, ev := range events {
		if !slices.Contains(allowed, ev) {
			return q, cmdInvalid("history_events", "Unknown event: choose from the list.")
		}
		if !slices.Contains(q.Events, ev) {
			q.Events = append(q.Events, ev)
		}
	}
	if len(q.Events) == 0 {
		return q, cmdInvalid("history_events", "Choose at least one event.")
	}
	q.From, q.To = from, to
	return q, nil
}

// fetchHistory asks the upstream and flattens the answer into rows, newest first, times in the hub's zone.
func fetchHistory(ctx context.Context, up *upstream.API, t historyTarget, q smarthome.ActivityQuery) ([]views.HistoryRowData, error) {
	type row struct {
		at time.Time
		views.HistoryRowData
	}
	var rows []row
	add := func(at time.Time, event, what, who string) {
		r := row{at: at, HistoryRowData: views.HistoryRowData{Event: event, What: what, Who: who}}
		r.When, r.WhenISO = localTimes(&at, t.loc)
		rows = append(rows, r)
	}
	if t.kind == "hub" {
		res, err := up.HubActivityHistory(ctx, t.id, q)
		if err != nil {
			return nil, err
		}
		for ev, items := range res {
			for _, a := range items {
				add(a.ActivityTime, ev, hubActivityText(a), "")
			}
		}
	} else {
		res, err := up.DeviceActivityHistory(ctx, t.id, q)
		if err != nil {
			return nil, err
		}
		for ev, items := range res {
			for _, a := range items {
				add(a.ActivityTime, cmp.Or(a.MessageType, ev), a.Details.String(), a.User)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.After(rows[j].at) })
	out := make([]views.HistoryRowData, len(rows))
	for i, r := range rows {
		out[i] = r.HistoryRowData
	}
	return out, nil
}

func hubActivityText(a smarthome.HubActivity) string {
	parts := []string{"Node " + a.NodeID.String()}
	if name := cmp.Or(a.DeviceName, a.DeviceID); name != "" {
		parts = append(parts, name)
	}
	if a.DeviceType != "" {
		parts = append(parts, "("+a.DeviceType+")")
	}
	return strings.Join(parts, " ")
}

// historyDay is t's calendar day at midnight in loc.
func historyDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// historyCalendarDays counts the days from a's date to b's date, ignoring hours (a DST day has 23 or 25).
func historyCalendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// historyUpstreamStatus is the upstream's HTTP status for err, or 502.
func historyUpstreamStatus(err error) int {
	var apiErr *smarthome.ErrorResponse
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
		return apiErr.StatusCode
	}
	return http.StatusBadGateway
}
