package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
)

// apiActivityList is the device activity log: the /activities page's filters, read by its own parser, and its
// keyset cursor ("<unix ms>.<id>") as ?cursor=.
func apiActivityList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		f, err := apiActivityFilter(r.Context(), a.Store, r.URL.Query())
		if err != nil {
			return nil, err
		}
		pg, err := a.Store.ListActivities(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]exportRecord, len(pg.Items))
		for i, v := range pg.Items {
			out[i] = newExportRecord(v)
		}
		cursor := ""
		if pg.Next != nil {
			cursor = formatCursor(pg.Next)
		}
		return newAPIList(r, out, cursor), nil
	}
}

// apiActivityFilter is the page's filter (parseActivityQuery) with the API's limit and cursor, so the store runs
// the page's query and uses its indexes (TestAPIActivityFilterIsThePages). A filter the page would flag (an
// unknown property, an unreadable time) is a 400 here: a program should hear about it, not get an empty list.
func apiActivityFilter(ctx context.Context, store *db.Store, q url.Values) (db.ActivityFilter, error) {
	limit, err := apiLimit(q)
	if err != nil {
		return db.ActivityFilter{}, err
	}
	aq, err := parseActivityQuery(ctx, store, q)
	if err != nil {
		return db.ActivityFilter{}, err
	}
	if len(aq.errs) > 0 {
		return db.ActivityFilter{}, apiErr(http.StatusBadRequest, "invalid_filter", strings.Join(aq.errs, " "))
	}
	f := aq.filter
	f.Before, f.Limit = nil, limit // the page's ?before= is not the API's: one cursor parameter for every list
	if c := q.Get("cursor"); c != "" {
		if f.Before = parseCursor(c); f.Before == nil {
			return db.ActivityFilter{}, apiBadRequest("cursor", "cursor must be a next_cursor this API returned.")
		}
	}
	return f, nil
}

// apiActivity is one activity, as the JSON export writes it.
func apiActivity(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return nil, notFound()
		}
		v, err := a.Store.ActivityByID(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return newExportRecord(v), nil
	}
}

type apiAuditJSON struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     *int64    `json:"user_id"`
	Person     string    `json:"person"` // the user's email, or "api-token:<id> <name>" for an API call
	Role       string    `json:"role"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	PropertyID *int64    `json:"property_id"`
	IP         string    `json:"ip"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail"`
}

// apiAuditList is the staff audit log with the audit page's filters (its own parser), newest first; the cursor
// is the last entry's id.
func apiAuditList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		q := r.URL.Query()
		limit, err := apiLimit(q)
		if err != nil {
			return nil, err
		}
		aq, err := parseAuditQuery(r.Context(), a.Store, q)
		if fe, ok := asCmdFormError(err); ok {
			return nil, apiBadRequest(fe.field, fe.msg)
		}
		if err != nil {
			return nil, err
		}
		if c := q.Get("cursor"); c != "" {
			if aq.search.Before, err = parseID(c); err != nil {
				return nil, apiBadRequest("cursor", "cursor must be a next_cursor this API returned.")
			}
		}
		aq.search.Limit = limit + 1 // one more says whether there is a next page
		entries, err := a.Store.SearchAudit(r.Context(), aq.search)
		if err != nil {
			return nil, err
		}
		cursor := ""
		if len(entries) > limit {
			entries = entries[:limit]
			cursor = strconv.FormatInt(entries[limit-1].ID, 10)
		}
		out := make([]apiAuditJSON, len(entries))
		for i, e := range entries {
			out[i] = apiAuditJSON{ID: e.ID, At: e.At.UTC(), UserID: e.UserID, Person: e.UserEmail, Role: e.Role,
				Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, PropertyID: e.PropertyID, IP: e.IP,
				Outcome: e.Outcome, Detail: e.Detail}
		}
		return newAPIList(r, out, cursor), nil
	}
}
