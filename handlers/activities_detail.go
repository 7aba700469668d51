package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// activityBodyPreview is how much of a delivered body the detail page shows (bodies may reach 1 MiB).
const activityBodyPreview = 64 << 10

// handleActivityDetail serves GET /activities/{id}: one activity with every documented envelope field as it was
// delivered (or marked not sent), what the mirror knows of its device, and the delivered body.
func handleActivityDetail(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return notFound()
		}
		a, err := d.Store.ActivityByID(ctx, id)
		if err != nil {
			return err
		}
		body, err := d.Store.ActivityBody(ctx, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		data := activityDetailData(a, body)
		if a.DeviceID != "" {
			dev, err := d.Store.Device(ctx, a.DeviceID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
			data.DeviceKnown, data.MirrorDevice = err == nil, deviceName(dev)
		}
		return render(w, r, http.StatusOK, views.ActivityDetailPage(pageMeta(r, data.Event, views.NavActivity), data))
	})
}

func activityDetailData(a db.ActivityView, body []byte) views.ActivityDetailData {
	loc := tz.Load(a.TimeZone)
	data := views.ActivityDetailData{ID: strconv.FormatInt(a.ID, 10), MessageType: a.MessageType, HubID: a.HubID,
		DeviceID: a.DeviceID, PropertyName: a.PropertyName, Person: a.Person, Unverified: !a.Verified,
		Fields: envelopeFields(a, deliveredKeys(body), loc)}
	data.Event, data.Tone = eventLabel(a.Kind, a.MessageType)
	data.When, data.WhenISO = localTimes(&a.At, loc)
	data.Received, data.ReceivedISO = localTimes(&a.ReceivedAt, loc)
	if a.PropertyID != nil {
		data.PropertyID = strconv.FormatInt(*a.PropertyID, 10)
	}
	data.Body = clip.String(string(body), activityBodyPreview)
	data.BodyCut = len(body) > activityBodyPreview
	return data
}

// deliveredKeys are the top-level keys of a delivered body: they tell a field sent empty from one not sent, which
// the stored columns cannot. nil when the body is missing or not an object.
func deliveredKeys(body []byte) map[string]bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	keys := make(map[string]bool, len(fields))
	for k := range fields {
		keys[k] = true
	}
	return keys
}

// envelopeFields are the documented envelope fields (reference §15.3) in its order, with the stored values. Without
// the body's keys a field counts as sent when it has a value.
func envelopeFields(a db.ActivityView, keys map[string]bool, loc *time.Location) []views.EnvelopeField {
	field := func(name, value string) views.EnvelopeField {
		sent := value != ""
		if keys != nil {
			sent = keys[name]
		}
		return views.EnvelopeField{Name: name, Value: value, Sent: sent}
	}
	typ := field("device_type", a.DeviceType)
	if a.TypeInferred {
		typ.Sent, typ.Note = false, "inferred: "+a.DeviceType
	}
	details := field("details", a.Details)
	switch {
	case a.DetailsJSON == "" || a.DetailsJSON[0] == '"':
	case a.DetailsJSON == a.Details:
		details.Note = "a number" // "5" and 5 differ to a PMS import
	default:
		details.Note = "sent as " + clip.String(a.DetailsJSON, 200)
	}
	at := views.EnvelopeField{Name: "activity_time", Sent: true}
	at.Value, at.ISO = localTimes(&a.At, loc)
	return []views.EnvelopeField{field("hub_id", a.HubID), field("home_name", a.HomeName), field("serial_no", a.SerialNo),
		field("address", a.Address), field("pms_datapull_id", a.PMSDatapullID), field("device_id", a.DeviceID),
		field("device_name", a.DeviceName), typ, field("message_type", a.MessageType), details, field("User", a.Actor), at}
}
