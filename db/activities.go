package db

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"time"
)

// Activity is one device or hub event the upstream reported by webhook, as stored in the activity log.
type Activity struct {
	ID            int64
	At            time.Time // activity_time, UTC
	ReceivedAt    time.Time
	HubID         string
	DeviceID      string // "" for hub events
	PropertyID    *int64 // resolved from the mirror at arrival; nil when the hub was unassigned or unknown
	DeviceType    string // as sent, or inferred when TypeInferred
	TypeInferred  bool   // the delivery carried no device_type
	MessageType   string // verbatim
	Kind          string // normalised meaning, "unknown" when not in the catalogue
	Details       string // details as text
	DetailsJSON   string // details exactly as sent; "" when absent
	Actor         string // the webhook's User field
	HomeName      string
	SerialNo      string
	DeviceName    string // as delivered; "" when the delivery named none
	Address       string
	PMSDatapullID string   // the customer's PMS record the hub belongs to, e.g. "Rently02|221"
	Verified      bool     // carried a valid token or signature
	DedupeKey     [32]byte // see DedupeKey: the activity time, then the SHA-256 of the body or of a signed webhook-id
}

// ActivityView is an activity with what the log shows beside it: the property's name, the zone its times are
// shown in (the property's, else the hub's, else ""), and the person its User stands for.
type ActivityView struct {
	Activity
	PropertyName string
	TimeZone     string
	// MirrorDeviceName is what the mirror calls the device now (its name, else its occupant setting); "" when the
	// mirror does not know the device. The log shows it rather than the delivered name, which may be absent or old.
	MirrorDeviceName string
	// Person is who the webhook's User (a lock code's name) stands for: the guest of the reservation, or the
	// resident of the invitation, that the property's lock code of that name belongs to. "" when no code of the
	// property has that name or the code belongs to neither.
	Person string
	// Reprocessed: an admin logged it from the webhook inbox. Held: its change to the mirror is not applied (the
	// delivery was rejected and nobody has confirmed it).
	Reprocessed bool
	Held        bool
}

type activityRow struct {
	ID           int64         `db:"id"`
	At           int64         `db:"at"`
	ReceivedAt   int64         `db:"received_at"`
	HubID        string        `db:"hub_id"`
	DeviceID     string        `db:"device_id"`
	PropertyID   sql.NullInt64 `db:"property_id"`
	DeviceType   string        `db:"device_type"`
	TypeInferred bool          `db:"type_inferred"`
	MessageType  string        `db:"message_type"`
	Kind         string        `db:"kind"`
	Details      string        `db:"details"`
	DetailsJSON  string        `db:"details_json"`
	Actor        string        `db:"actor"`
	HomeName     string        `db:"home_name"`
	SerialNo     string        `db:"serial_no"`
	DeviceName   string        `db:"device_name"`
	Address      string        `db:"address"`
	PMS          string        `db:"pms_datapull_id"`
	Verified     bool          `db:"verified"`
	PropertyName string        `db:"property_name"`
	TimeZone     string        `db:"time_zone"`
	Person       string        `db:"person"`
	Reprocessed  bool          `db:"reprocessed"`
	Held         bool          `db:"held"`
	MirrorName   string        `db:"mirror_device_name"`
}

// activityCols are the columns the log reads (never the dedupe key or the body).
const activityCols = `id, at, received_at, hub_id, device_id, property_id, device_type, type_inferred, message_type,
	kind, details, details_json, actor, home_name, serial_no, device_name, address, pms_datapull_id, verified`

var activityColsA = qualify("a", activityCols)

// activityViewSelect reads activities with their property's name, the zone to show them in and the mirror's name
// of the device (a primary-key probe per row, like the property and the hub).
var activityViewSelect = `SELECT ` + activityColsA + `, coalesce(p.name, '') AS property_name,
		coalesce(nullif(p.time_zone, ''), h.time_zone, '') AS time_zone, ` + personSQL + ` AS person,
		ia.activity_id IS NOT NULL AS reprocessed, (ia.activity_id IS NOT NULL AND ia.applied_at IS NULL) AS held,
		` + mirrorDeviceNameSQL + ` AS mirror_device_name
	FROM activities a
	LEFT JOIN properties p ON p.id = a.property_id
	LEFT JOIN hubs h ON h.id = a.hub_id
	LEFT JOIN inbox_activities ia ON ia.activity_id = a.id
	LEFT JOIN devices d ON d.id = a.device_id AND a.device_id <> ''`

// mirrorDeviceNameSQL is the mirror's name of device d: its name, else its occupant setting ("" when unknown).
const mirrorDeviceNameSQL = `coalesce(nullif(d.name, ''), d.occupant_setting, '')`

func (r activityRow) view() ActivityView {
	return ActivityView{
		Activity: Activity{ID: r.ID, At: fromMS(r.At), ReceivedAt: fromMS(r.ReceivedAt), HubID: r.HubID,
			DeviceID: r.DeviceID, PropertyID: fromNullInt64(r.PropertyID), DeviceType: r.DeviceType,
			TypeInferred: r.TypeInferred, MessageType: r.MessageType, Kind: r.Kind, Details: r.Details,
			DetailsJSON: r.DetailsJSON, Actor: r.Actor, HomeName: r.HomeName, SerialNo: r.SerialNo,
			DeviceName: r.DeviceName, Address: r.Address, PMSDatapullID: r.PMS, Verified: r.Verified},
		PropertyName: r.PropertyName, TimeZone: r.TimeZone, Person: r.Person, Reprocessed: r.Reprocessed, Held: r.Held,
		MirrorDeviceName: r.MirrorName,
	}
}

// insertArgs are an activity's values in activityInsertCols order (ingest_batch.go).
func (a Activity) insertArgs() []any {
	return []any{ms(a.At), ms(a.ReceivedAt), a.HubID, a.DeviceID, nullInt64(a.PropertyID), a.DeviceType,
		a.TypeInferred, a.MessageType, a.Kind, a.Details, a.DetailsJSON, a.Actor, a.HomeName, a.SerialNo,
		a.DeviceName, a.Address, a.PMSDatapullID, a.Verified, a.DedupeKey[:]}
}

// validate rejects what the table's CHECKs would, with a message that names the field.
func (a Activity) validate() error {
	switch {
	case a.HubID == "":
		return fmt.Errorf("hub_id is required")
	case a.MessageType == "":
		return fmt.Errorf("message_type is required")
	case a.Kind == "":
		return fmt.Errorf("kind is required")
	case a.At.IsZero():
		return fmt.Errorf("activity time is required")
	}
	return nil
}

// ActivityByID returns one activity with its property's name and zone, or ErrNotFound.
func (s *Store) ActivityByID(ctx context.Context, id int64) (ActivityView, error) {
	var r activityRow
	if err := s.r.GetContext(ctx, &r, activityViewSelect+` WHERE a.id = ?`, id); err != nil {
		return ActivityView{}, fmt.Errorf("db: activity %d: %w", id, notFound(err))
	}
	return r.view(), nil
}

// ActivityBody returns the bytes delivered for an activity, or ErrNotFound.
func (s *Store) ActivityBody(ctx context.Context, id int64) ([]byte, error) {
	var body []byte
	err := s.r.GetContext(ctx, &body, `SELECT body FROM activity_bodies WHERE activity_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("db: activity %d body: %w", id, notFound(err))
	}
	return body, nil
}

// resolveSQL looks a webhook's hub and device up. It runs once per delivery, so it is prepared once (ingester).
const resolveSQL = `SELECT h.id IS NOT NULL AS hub, d.id IS NOT NULL AS device,
		coalesce(d.type, '') AS device_type, ` + mirrorDeviceNameSQL + ` AS device_name,
		coalesce(d.property_id, h.property_id) AS property_id,
		coalesce(p.name, '') AS property_name, coalesce(nullif(p.time_zone, ''), h.time_zone, '') AS time_zone
	FROM (SELECT ? AS hub_id, ? AS device_id) AS q
	LEFT JOIN hubs h ON h.id = q.hub_id
	LEFT JOIN devices d ON d.id = q.device_id AND q.device_id <> ''
	LEFT JOIN properties p ON p.id = coalesce(d.property_id, h.property_id)`

// Target is what the mirror knows about the hub and device a webhook names.
type Target struct {
	HubKnown     bool
	DeviceKnown  bool
	DeviceType   string // the mirror's type of the device; "" when unknown
	DeviceName   string // the mirror's name of the device (name, else occupant setting); "" when unknown
	PropertyID   *int64 // the device's property, else the hub's
	PropertyName string
	TimeZone     string // the property's zone, else the hub's
}

// ResolveTarget looks a webhook's hub and device up in the mirror. Unknown ids are not an error: the activity is
// stored all the same, without a property.
func (s *Store) ResolveTarget(ctx context.Context, hubID, deviceID string) (Target, error) {
	var r struct {
		Hub          bool          `db:"hub"`
		Device       bool          `db:"device"`
		DeviceType   string        `db:"device_type"`
		DeviceName   string        `db:"device_name"`
		PropertyID   sql.NullInt64 `db:"property_id"`
		PropertyName string        `db:"property_name"`
		TimeZone     string        `db:"time_zone"`
	}
	err := s.ingest.resolve.GetContext(ctx, &r, hubID, deviceID)
	if err != nil {
		return Target{}, fmt.Errorf("db: resolve hub %s device %s: %w", hubID, deviceID, err)
	}
	return Target{HubKnown: r.Hub, DeviceKnown: r.Device, DeviceType: r.DeviceType, DeviceName: r.DeviceName,
		PropertyID: fromNullInt64(r.PropertyID), PropertyName: r.PropertyName, TimeZone: r.TimeZone}, nil
}

// DedupeKey is an activity's dedupe key: its activity time (8 bytes, big-endian, order-preserving) followed by
// 24 bytes of the SHA-256 that identifies the delivery (of its body, or of a signed delivery's webhook-id). A
// retry carries the same time and the same digest; leading with the time keeps the unique index's inserts near its
// end, so a batch of deliveries dirties a few index pages rather than one per delivery.
func DedupeKey(at time.Time, digest [32]byte) [32]byte {
	var k [32]byte
	binary.BigEndian.PutUint64(k[:8], uint64(at.UnixMilli())^(1<<63))
	copy(k[8:], digest[:24])
	return k
}
