package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
)

// auditExportBatch is how many entries the export reads per query while it streams.
const auditExportBatch = 500

// auditExportRow is one exported entry: ids and names, the time in UTC and in the filter's zone.
type auditExportRow struct {
	ID           int64  `json:"id"`
	TimeUTC      string `json:"time_utc"`
	TimeLocal    string `json:"time_local"`
	Zone         string `json:"zone"`
	Person       string `json:"person"`
	Role         string `json:"role"`
	Action       string `json:"action"`
	TargetType   string `json:"target_type"`
	TargetID     string `json:"target_id"`
	PropertyID   *int64 `json:"property_id"`
	PropertyName string `json:"property_name"`
	Outcome      string `json:"outcome"`
	Detail       string `json:"detail"`
	IP           string `json:"ip"`
	UserAgent    string `json:"user_agent"`
}

var auditCSVHeader = []string{"id", "time_utc", "time_local", "zone", "person", "role", "action", "target_type",
	"target_id", "property_id", "property_name", "outcome", "detail", "ip", "user_agent"}

// csv is the entry's CSV cells, in auditCSVHeader order, unescaped: newCSVWriter escapes every cell.
func (e auditExportRow) csv() []string {
	prop := ""
	if e.PropertyID != nil {
		prop = strconv.FormatInt(*e.PropertyID, 10)
	}
	return []string{strconv.FormatInt(e.ID, 10), e.TimeUTC, e.TimeLocal, e.Zone, e.Person, e.Role, e.Action,
		e.TargetType, e.TargetID, prop, e.PropertyName, e.Outcome, e.Detail, e.IP, e.UserAgent}
}

// handleAuditExport: GET /audit/export?format=csv|json with the page's filters exports exactly the filtered view
// (every page of it), streamed in batches so its size is bounded by nothing but the log. The export is audited.
func handleAuditExport(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		format := r.URL.Query().Get("format")
		if format != "csv" && format != "json" {
			return badRequest("Choose an export format: csv or json.", nil)
		}
		ctx := r.Context()
		a, err := parseAuditQuery(ctx, d.Store, r.URL.Query())
		if fe, ok := asCmdFormError(err); ok {
			return &httpError{status: http.StatusUnprocessableEntity, msg: fe.msg, err: err}
		}
		name := "audit-" + time.Now().UTC().Format("20060102-150405") + "." + format
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		n, err := streamAudit(w, r, d, a, format)
		outcome, detail := db.OutcomeOK, format+", "+strconv.Itoa(n)+" entries, filter "+a.values().Encode()
		if err != nil {
			outcome, detail = db.OutcomeFailed, detail+" (interrupted)"
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "audit.export", targetType: "audit_log", outcome: outcome, detail: detail})
		if err != nil && ctx.Err() == nil {
			d.Logger.WarnContext(ctx, "audit export interrupted", slog.Any("err", err))
		}
		return nil // once streaming began, the status is sent: an error can only cut the body short
	})
}

// streamAudit writes every matching entry, newest first, flushing after each batch.
func streamAudit(w http.ResponseWriter, r *http.Request, d Deps, a auditQuery, format string) (int, error) {
	ctx := r.Context()
	flush := func() { _ = http.NewResponseController(w).Flush() }
	cw := newCSVWriter(w)
	var sep string
	if format == "csv" {
		if err := cw.Write(auditCSVHeader); err != nil {
			return 0, err
		}
	} else if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	names := auditPropertyNames{store: d.Store}
	q, n := a.search, 0
	q.Limit = auditExportBatch
	for {
		entries, err := d.Store.SearchAudit(ctx, q)
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			row := auditExportRowOf(r, e, a, &names)
			if format == "csv" {
				err = cw.Write(row.csv())
			} else {
				var b []byte
				if b, err = json.Marshal(row); err == nil {
					_, err = io.WriteString(w, sep+"\n"+string(b))
					sep = ","
				}
			}
			if err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		flush()
		if len(entries) < auditExportBatch {
			break
		}
		q.Before = entries[len(entries)-1].ID
	}
	if format == "json" {
		if _, err := io.WriteString(w, "\n]\n"); err != nil {
			return n, err
		}
	}
	return n, nil
}

func auditExportRowOf(r *http.Request, e db.AuditEntry, a auditQuery, names *auditPropertyNames) auditExportRow {
	row := auditExportRow{ID: e.ID, TimeUTC: e.At.UTC().Format(time.RFC3339Nano), Zone: a.loc.String(),
		TimeLocal: e.At.In(a.loc).Format("2006-01-02 15:04:05 MST"), Person: e.UserEmail, Role: e.Role,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, PropertyID: e.PropertyID,
		Outcome: e.Outcome, Detail: e.Detail, IP: e.IP, UserAgent: e.UserAgent}
	if e.PropertyID != nil {
		row.PropertyName = names.name(r.Context(), *e.PropertyID)
	}
	return row
}
