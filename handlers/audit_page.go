package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditInputLayouts are the accepted forms of the range inputs (datetime-local, with or without seconds).
var auditInputLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// auditQuery is a parsed audit filter: what the store searches, what the form shows, and the zone of both.
type auditQuery struct {
	search db.AuditSearch
	form   views.AuditFilterData
	loc    *time.Location
}

// parseAuditQuery reads the filter from the query string. Times are read in the chosen property's zone, or UTC
// when no property is chosen (the log spans properties). A bad value is a form error naming it.
func parseAuditQuery(ctx context.Context, store *db.Store, q url.Values) (auditQuery, error) {
	get := func(k string, n int) string { return clip.String(strings.TrimSpace(q.Get(k)), n) }
	a := auditQuery{loc: time.UTC, form: views.AuditFilterData{Person: strings.ToLower(get("person", 254)), Action: get("action", 100),
		TargetType: get("target_type", 50), TargetID: get("target_id", 100), Property: get("property", 20),
		Outcome: get("outcome", 10), From: get("from", 19), To: get("to", 19)}}
	f := &a.search
	f.UserEmail, f.Action, f.TargetType, f.TargetID = a.form.Person, a.form.Action, a.form.TargetType, a.form.TargetID
	switch a.form.Outcome {
	case "", db.OutcomeOK, db.OutcomeDenied, db.OutcomeFailed:
		a.search.Outcome = a.form.Outcome
	default:
		return a, cmdInvalid("outcome", "Outcome must be ok, denied or failed.")
	}
	if a.form.Property != "" {
		id, err := parseID(a.form.Property)
		if err != nil {
			return a, cmdInvalid("property", "Property must be a property id (a whole number).")
		}
		f.PropertyID = &id
		if p, err := store.Property(ctx, id); err == nil {
			a.form.PropertyName, a.loc = p.Name, tz.Load(p.TimeZone)
		}
	}
	var err error
	if f.From, err = parseAuditTime(a.form.From, a.loc); err != nil {
		return a, cmdInvalid("from", "From must be a date and time (YYYY-MM-DDTHH:MM).")
	}
	if f.To, err = parseAuditTime(a.form.To, a.loc); err != nil {
		return a, cmdInvalid("to", "Until must be a date and time (YYYY-MM-DDTHH:MM).")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return a, cmdInvalid("to", "Until must be after From.")
	}
	return a, nil
}

func parseAuditTime(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	var err error
	for _, layout := range auditInputLayouts {
		var t time.Time
		if t, err = time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// values is the filter as query parameters, without paging: the page links and the export links carry it.
func (a auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"person": a.form.Person, "action": a.form.Action, "target_type": a.form.TargetType,
		"target_id": a.form.TargetID, "property": a.form.Property, "outcome": a.form.Outcome, "from": a.form.From,
		"to": a.form.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// handleAuditPage: GET /audit, the staff audit log, newest first, keyset-paged with ?before=<id>.
func handleAuditPage(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		data := views.AuditPageData{Outcomes: []string{db.OutcomeOK, db.OutcomeDenied, db.OutcomeFailed}}
		if err := auditOptions(ctx, d.Store, &data); err != nil {
			return err
		}
		a, err := parseAuditQuery(ctx, d.Store, r.URL.Query())
		data.Filter, data.Zone = a.form, a.loc.String()
		if p := a.form.Person; p != "" && !slices.ContainsFunc(data.People, func(e string) bool { return strings.EqualFold(e, p) }) {
			data.People = append(data.People, p) // a person no longer among the users keeps their filter
		}
		status := http.StatusOK
		if fe, ok := asCmdFormError(err); ok {
			data.Error, status = fe.msg, http.StatusUnprocessableEntity
		} else {
			if before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64); err == nil && before > 0 {
				a.search.Before = before
				data.NewestURL = "/audit" + auditEncodeQuery(a.values())
			}
			a.search.Limit = auditPageSize
			entries, err := d.Store.SearchAudit(ctx, a.search)
			if err != nil {
				return err
			}
			names := auditPropertyNames{store: d.Store}
			for _, e := range entries {
				data.Rows = append(data.Rows, auditRow(ctx, e, a.loc, &names))
			}
			if len(entries) == auditPageSize {
				older := a.values()
				older.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
				data.OlderURL = "/audit?" + older.Encode()
			}
		}
		exp := a.values()
		exp.Set("format", "csv")
		data.ExportCSV = "/audit/export?" + exp.Encode()
		exp.Set("format", "json")
		data.ExportJSON = "/audit/export?" + exp.Encode()
		meta := pageMeta(r, "Audit log", views.NavAudit)
		return render(w, r, status, views.AuditPage(meta, data))
	})
}

func auditEncodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// auditOptions fills the filter's choices: people, and the actions and targets the log holds.
func auditOptions(ctx context.Context, store *db.Store, data *views.AuditPageData) error {
	users, err := store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		data.People = append(data.People, u.Email)
	}
	if data.Actions, err = store.AuditActions(ctx); err != nil {
		return err
	}
	data.Targets, err = store.AuditTargetTypes(ctx)
	return err
}

func auditRow(ctx context.Context, e db.AuditEntry, loc *time.Location, names *auditPropertyNames) views.AuditRowData {
	r := views.AuditRowData{ID: strconv.FormatInt(e.ID, 10), Person: e.UserEmail, Role: e.Role, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, IP: e.IP, Outcome: e.Outcome, Detail: e.Detail}
	r.When, r.WhenISO = localTimes(&e.At, loc)
	if e.PropertyID != nil {
		r.PropertyID = strconv.FormatInt(*e.PropertyID, 10)
		r.PropertyName = names.name(ctx, *e.PropertyID)
	}
	return r
}

// auditPropertyNames caches property names for one page or export; a property gone from the mirror shows its id.
type auditPropertyNames struct {
	store *db.Store
	cache map[int64]string
}

func (p *auditPropertyNames) name(ctx context.Context, id int64) string {
	if n, ok := p.cache[id]; ok {
		return n
	}
	if p.cache == nil {
		p.cache = map[int64]string{}
	}
	n := "Property " + strconv.FormatInt(id, 10)
	if prop, err := p.store.Property(ctx, id); err == nil && prop.Name != "" {
		n = prop.Name
	}
	p.cache[id] = n
	return n
}
