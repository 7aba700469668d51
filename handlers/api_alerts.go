package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
)

type apiAlertJSON struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	Severity       string     `json:"severity"`
	State          string     `json:"state"`
	PropertyID     *int64     `json:"property_id"`
	PropertyName   string     `json:"property_name"`
	HubID          string     `json:"hub_id"`
	DeviceID       string     `json:"device_id"`
	DeviceName     string     `json:"device_name"`
	OpenedAt       time.Time  `json:"opened_at"`
	LastSeenAt     time.Time  `json:"last_seen_at"`
	Flaps          int        `json:"flaps"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy string     `json:"acknowledged_by"`
	AckNote        string     `json:"ack_note"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ResolvedBy     string     `json:"resolved_by"` // "" with resolved_at set: the condition cleared by itself
	Detail         string     `json:"detail"`
}

func newAPIAlert(v db.AlertView) apiAlertJSON {
	return apiAlertJSON{ID: v.ID, Kind: v.Kind, Severity: v.Severity, State: v.State, PropertyID: v.PropertyID,
		PropertyName: v.PropertyName, HubID: v.HubID, DeviceID: v.DeviceID, DeviceName: v.DeviceName,
		OpenedAt: v.OpenedAt.UTC(), LastSeenAt: v.LastSeenAt.UTC(), Flaps: v.Flaps,
		AcknowledgedAt: utcPtr(v.AcknowledgedAt), AcknowledgedBy: v.AcknowledgedByName, AckNote: v.AckNote,
		ResolvedAt: utcPtr(v.ResolvedAt), ResolvedBy: v.ResolvedByName, Detail: v.Detail}
}

// apiAlertStates are the values ?state= takes.
var apiAlertStates = []string{db.AlertOpen, db.AlertAcknowledged, db.AlertResolved, db.AlertUnresolved}

// apiAlertList is the alert records, newest first, filtered by property, hub, device, kind and state; the
// cursor is the last alert's id.
func apiAlertList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		q := r.URL.Query()
		limit, err := apiLimit(q)
		if err != nil {
			return nil, err
		}
		f := db.AlertFilter{HubID: q.Get("hub"), DeviceID: q.Get("device"), Kind: q.Get("kind"), State: q.Get("state"),
			Limit: limit}
		if f.State != "" && !slices.Contains(apiAlertStates, f.State) {
			return nil, apiBadRequest("state", "state must be open, acknowledged, resolved or unresolved.")
		}
		if f.Kind != "" && !slices.Contains(db.AlertKinds, f.Kind) {
			return nil, apiBadRequest("kind", "kind is not an alert kind; see the OpenAPI document for the list.")
		}
		if v := q.Get("property"); v != "" {
			id, err := apiID(v, "property")
			if err != nil {
				return nil, err
			}
			f.PropertyID = &id
		}
		if c := q.Get("cursor"); c != "" {
			if f.Before, err = parseID(c); err != nil {
				return nil, apiBadRequest("cursor", "cursor must be a next_cursor this API returned.")
			}
		}
		pg, err := a.Store.ListAlerts(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]apiAlertJSON, len(pg.Items))
		for i, v := range pg.Items {
			out[i] = newAPIAlert(v)
		}
		cursor := ""
		if pg.NextBefore != 0 {
			cursor = strconv.FormatInt(pg.NextBefore, 10)
		}
		return newAPIList(r, out, cursor), nil
	}
}

func apiAlert(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return nil, notFound()
		}
		v, err := a.Store.AlertView(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return newAPIAlert(v), nil
	}
}
