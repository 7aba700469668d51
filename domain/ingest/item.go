package ingest

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
)

// What is stored of a delivery's fields; the full body is kept beside them.
const (
	maxStoredText    = 200  // names, ids and User as stored
	maxStoredDetails = 2000 // details as stored
)

// UnreadableError is a body that is not a smart-home webhook. Its text says why in words, quoting no more than a
// few characters of the body: it is shown on the inbox page.
type UnreadableError struct{ Detail string }

func (e *UnreadableError) Error() string { return e.Detail }

// parse reads a delivery's body: the one parse step of the receiver and of the inbox's re-process.
func parse(body []byte) (*smarthome.Event, error) {
	ev, err := smarthome.ParseEvent(body)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), smarthome.ErrBadEvent.Error()+": ")
		return nil, &UnreadableError{Detail: "Not a smart-home webhook: " + clip.String(msg, 300)}
	}
	return ev, nil
}

// buildItem builds what the writer stores for a parsed event resolved against the mirror: the activity and the
// change it reports to the mirror's live state. The view is the activity as the live row shows it.
func buildItem(ev *smarthome.Event, target db.Target, body []byte, a authResult, now time.Time) (db.IngestItem, db.ActivityView) {
	act := newActivity(ev, target, a, now)
	item := db.IngestItem{Activity: act, Body: body, Live: liveChange(ev, smarthome.EventKind(act.Kind), act.DeviceType)}
	return item, db.ActivityView{Activity: act, PropertyName: target.PropertyName, TimeZone: target.TimeZone,
		MirrorDeviceName: target.DeviceName}
}

// newActivity maps a parsed event to its log row. A missing device_type is inferred: "hub" for an event naming no
// device, else the mirror's type of the device.
func newActivity(ev *smarthome.Event, t db.Target, a authResult, now time.Time) db.Activity {
	kind := smarthome.Kind(ev)
	deviceType, inferred := ev.DeviceType, ev.DeviceType == ""
	if inferred {
		deviceType = ev.EffectiveDeviceType()
		if deviceType == "" && t.DeviceKnown {
			deviceType = t.DeviceType
			kind = smarthome.KindOf(deviceType, ev.MessageType)
		}
	}
	act := db.Activity{At: ev.ActivityTime.Time, ReceivedAt: now, HubID: clip.String(ev.HubID, maxStoredText),
		DeviceID: clip.String(ev.DeviceID, maxStoredText), PropertyID: t.PropertyID, DeviceType: clip.String(deviceType, maxStoredText),
		TypeInferred: inferred, MessageType: clip.String(ev.MessageType, maxStoredText), Kind: string(kind),
		Details: clip.String(ev.DetailsString(), maxStoredDetails), DetailsJSON: clip.String(string(bytes.TrimSpace(ev.Details)), maxStoredDetails),
		Actor: clip.String(ev.User, maxStoredText), HomeName: clip.String(ev.HomeName, maxStoredText),
		SerialNo: clip.String(string(ev.SerialNo), maxStoredText), DeviceName: clip.String(ev.DeviceName, maxStoredText),
		Address: clip.String(ev.Address, maxStoredText), PMSDatapullID: clip.String(ev.PMSDatapullID, maxStoredText), Verified: a.ok && a.signedOrToken}
	digest := sha256.Sum256(ev.Raw)
	if a.signatureID != "" { // a verified signature: the sender's id is stable across retries and duplicates
		digest = sha256.Sum256([]byte("webhook-id:" + a.signatureID))
	}
	act.DedupeKey = db.DedupeKey(act.At, digest)
	return act
}
