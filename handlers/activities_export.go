package handlers

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// exportWriteWindow is how long the client may take to read each chunk of an export; the server's WriteTimeout
// would otherwise cut a long export short.
const exportWriteWindow = 30 * time.Second

// exportColumns are the export's fields, in CSV column order (JSON uses the same names). Columns added later go
// at the end, so a reader that counts columns keeps working.
var exportColumns = []string{"id", "time", "time_utc", "time_zone", "property_id", "property_name", "hub_id",
	"home_name", "serial_no", "device_id", "device_name", "device_type", "device_type_sent", "message_type", "event",
	"details", "who", "person", "verified", "received_utc", "address", "pms_datapull_id"}

// exportRecord is one activity as exported: names and ids, local and UTC times, the zone.
type exportRecord struct {
	ID             int64           `json:"id"`
	Time           string          `json:"time"`
	TimeUTC        string          `json:"time_utc"`
	TimeZone       string          `json:"time_zone"`
	PropertyID     *int64          `json:"property_id"`
	PropertyName   string          `json:"property_name"`
	HubID          string          `json:"hub_id"`
	HomeName       string          `json:"home_name"`
	SerialNo       string          `json:"serial_no"`
	DeviceID       string          `json:"device_id"`
	DeviceName     string          `json:"device_name"`
	DeviceType     string          `json:"device_type"`
	DeviceTypeSent bool            `json:"device_type_sent"`
	MessageType    string          `json:"message_type"`
	Event          string          `json:"event"`
	Details        string          `json:"details"`
	DetailsRaw     json.RawMessage `json:"details_raw,omitempty"` // details exactly as sent: "5" and 5 differ
	Who            string          `json:"who"`
	Person         string          `json:"person"`
	Verified       bool            `json:"verified"`
	ReceivedUTC    string          `json:"received_utc"`
	Address        string          `json:"address"`
	PMSDatapullID  string          `json:"pms_datapull_id"`
}

func newExportRecord(a db.ActivityView) exportRecord {
	loc := tz.Load(a.TimeZone)
	e := exportRecord{ID: a.ID, Time: a.At.In(loc).Format(time.RFC3339Nano), TimeUTC: a.At.UTC().Format(time.RFC3339Nano),
		TimeZone: loc.String(), PropertyID: a.PropertyID, PropertyName: a.PropertyName, HubID: a.HubID, HomeName: a.HomeName,
		SerialNo: a.SerialNo, DeviceID: a.DeviceID, DeviceName: a.DeviceName, DeviceType: a.DeviceType,
		DeviceTypeSent: !a.TypeInferred, MessageType: a.MessageType, Details: a.Details, Who: a.Actor, Person: a.Person,
		Verified: a.Verified, ReceivedUTC: a.ReceivedAt.UTC().Format(time.RFC3339Nano), Address: a.Address,
		PMSDatapullID: a.PMSDatapullID}
	e.Event, _ = eventLabel(a.Kind, a.MessageType)
	if a.DetailsJSON != "" && json.Valid([]byte(a.DetailsJSON)) {
		e.DetailsRaw = json.RawMessage(a.DetailsJSON)
	}
	return e
}

// csv is the record's CSV cells, in exportColumns order, unescaped: newCSVWriter escapes every cell.
func (e exportRecord) csv() []string {
	pid := ""
	if e.PropertyID != nil {
		pid = strconv.FormatInt(*e.PropertyID, 10)
	}
	return []string{strconv.FormatInt(e.ID, 10), e.Time, e.TimeUTC, e.TimeZone, pid, e.PropertyName, e.HubID,
		e.HomeName, e.SerialNo, e.DeviceID, e.DeviceName, e.DeviceType, strconv.FormatBool(e.DeviceTypeSent),
		e.MessageType, e.Event, e.Details, e.Who, e.Person, strconv.FormatBool(e.Verified), e.ReceivedUTC, e.Address,
		e.PMSDatapullID}
}

// handleActivityExport streams exactly the filtered view (every page of it) as CSV or JSON, with flat memory: rows
// are read in chunks and written as they come. A failure mid-stream aborts the connection, so a partial file is
// never mistaken for a complete one.
func handleActivityExport(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		format := r.URL.Query().Get("format")
		if format != "csv" && format != "json" {
			return badRequest("Choose an export format: csv or json.", nil)
		}
		aq, err := parseActivityQuery(r.Context(), d.Store, r.URL.Query())
		if err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "activities.export", targetType: "activities",
			outcome: "ok", detail: format + " " + aq.values().Encode()})
		name := "activities-" + time.Now().UTC().Format("20060102-150405") + "." + format
		h := w.Header()
		h.Set("Content-Type", map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}[format])
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
		rc := http.NewResponseController(w)
		bw := bufio.NewWriterSize(w, 64<<10)
		n := 0
		write, finish := exportWriter(format, bw)
		err = d.Store.EachActivity(r.Context(), aq.filter, func(a db.ActivityView) error {
			if n%1000 == 0 {
				_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
			}
			n++
			return write(newExportRecord(a))
		})
		if err == nil {
			err = finish()
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			d.Logger.ErrorContext(r.Context(), "activity export failed", slog.String("format", format), slog.Int("rows", n), slog.Any("err", err))
			panic(http.ErrAbortHandler) // the client sees a broken download, not a silently short file
		}
		return nil
	})
}

// exportWriter returns the per-record writer and the closing step of a format.
func exportWriter(format string, bw *bufio.Writer) (write func(exportRecord) error, finish func() error) {
	if format == "csv" {
		cw := newCSVWriter(bw)
		header := false
		write = func(e exportRecord) error {
			if !header {
				header = true
				if err := cw.Write(exportColumns); err != nil {
					return err
				}
			}
			return cw.Write(e.csv())
		}
		finish = func() error {
			if !header {
				_ = cw.Write(exportColumns)
			}
			cw.Flush()
			return cw.Error()
		}
		return write, finish
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	first := true
	write = func(e exportRecord) error { // one record per line
		sep := ","
		if first {
			sep, first = "[\n", false
		}
		if _, err := bw.WriteString(sep); err != nil {
			return err
		}
		return enc.Encode(e) // Encode ends the line
	}
	finish = func() error {
		if first {
			_, err := bw.WriteString("[]\n")
			return err
		}
		_, err := bw.WriteString("]\n")
		return err
	}
	return write, finish
}
