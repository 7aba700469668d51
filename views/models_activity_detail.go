package views

import "net/url"

// ActivityDetailData is one activity's page: what happened, every envelope field as the delivery had it, what the
// mirror knows of the device, and the delivered body.
type ActivityDetailData struct {
	ID            string
	Event         string // what happened in words
	Tone          string
	MessageType   string
	When, WhenISO string // activity_time in the property's zone; RFC 3339 UTC
	Received      string // when the dashboard stored it, same zone
	ReceivedISO   string
	Unverified    bool   // accepted without a token or signature
	Person        string // who the User stands for, when a lock code says so
	PropertyID    string
	PropertyName  string
	HubID         string
	DeviceID      string
	DeviceKnown   bool   // the mirror has the device
	MirrorDevice  string // the mirror's name of the device
	Fields        []EnvelopeField
	Body          string // the delivered bytes as text, cut at a preview size
	BodyCut       bool
}

// EnvelopeField is one documented webhook field (reference §15.3) as delivered. The name is the wire name.
type EnvelopeField struct {
	Name  string
	Value string
	ISO   string // set for times: Value is then the local time
	Sent  bool   // the delivery carried the field
	Note  string // why the value differs from the wire, e.g. "a number", "inferred: lock"
}

func activityURL(id string) string { return "/activities/" + url.PathEscape(id) }
