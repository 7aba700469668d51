package smarthome

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// HubSummary is one item of the hub list. Its status is the string "Online"/"Offline"; the detail route's status
// is an object, hence two types (reference §5). Fields follow the upstream fixture verbatim.
type HubSummary struct {
	ID                      string     `json:"id"`
	AllowedHubCodes         FlexInt    `json:"allowed_hub_codes"`
	TimeZone                string     `json:"time_zone"`
	HomeName                string     `json:"home_name"`
	OccupantSetting         string     `json:"occupant_setting"`
	Address                 string     `json:"address"`
	StreetAddress           string     `json:"street_address"`
	City                    string     `json:"city"`
	State                   string     `json:"state"`
	Zipcode                 FlexString `json:"zipcode"`
	Longitude               FlexString `json:"longitude"`
	Latitude                FlexString `json:"latitude"`
	PrimaryResidentOccupied bool       `json:"primary_resident_occupied"`
	Camera                  bool       `json:"camera"`
	MasterCode              PIN        `json:"master_code"`
	SerialNo                FlexString `json:"serial_no"` // a number here, a string in webhooks
	PropertyURL             string     `json:"property_url"`
	UnitCode                string     `json:"unit_code"`
	APICode                 string     `json:"api_code"`
	VacationCodeOccupied    bool       `json:"vacation_code_occupied"`
	LockCodeCount           FlexInt    `json:"lock_code_count"`
	TopicName               string     `json:"topic_name"`
	IsActive                bool       `json:"is_active"`
	ActiveFrom              string     `json:"active_from"` // HubActiveLayout, e.g. "1/1/2000 12:00 am"
	ActiveTo                string     `json:"active_to"`
	UserType                string     `json:"user_type"`
	Status                  string     `json:"status"`              // "Online" or "Offline"
	PropertyID              *int64     `json:"property_id"`         // [INF] nil when unassigned
	CompanyChangeDate       *string    `json:"company_change_date"` // [INF] "YYYY-MM-DD"; limits activity access
}

// Online reports whether the list status says the hub is online.
func (h HubSummary) Online() bool { return h.Status == "Online" }

// HubDetail is the hub detail: the summary's descriptive fields plus settings and the hub-reported status object.
type HubDetail struct {
	ID                      string      `json:"id"`
	AllowedHubCodes         FlexInt     `json:"allowed_hub_codes"`
	TimeZone                string      `json:"time_zone"`
	HomeName                string      `json:"home_name"`
	OccupantSetting         string      `json:"occupant_setting"`
	Address                 string      `json:"address"`
	StreetAddress           string      `json:"street_address"`
	City                    string      `json:"city"`
	State                   string      `json:"state"`
	Zipcode                 FlexString  `json:"zipcode"`
	Longitude               FlexString  `json:"longitude"`
	Latitude                FlexString  `json:"latitude"`
	PrimaryResidentOccupied bool        `json:"primary_resident_occupied"`
	Camera                  bool        `json:"camera"`
	MasterCode              PIN         `json:"master_code"`
	SerialNo                FlexString  `json:"serial_no"`
	PropertyURL             string      `json:"property_url"`
	UnitCode                string      `json:"unit_code"`
	APICode                 string      `json:"api_code"`
	VacationCodeOccupied    bool        `json:"vacation_code_occupied"`
	LockCodeCount           FlexInt     `json:"lock_code_count"`
	TopicName               string      `json:"topic_name"`
	Settings                HubSettings `json:"settings"`
	ShowMonitoringFeature   bool        `json:"show_monitoring_feature"`
	AssignedDate            string      `json:"assigned_date"` // HubAssignedDateLayout, "2012-07-23"
	Status                  HubStatus   `json:"status"`
	PropertyID              *int64      `json:"property_id"`         // [INF] nil when unassigned
	CompanyChangeDate       *string     `json:"company_change_date"` // [INF] "YYYY-MM-DD"; limits activity access
}

// HubSettings is the hub's settings object.
type HubSettings struct {
	TimeZone   string `json:"time_zone"`
	Monitoring string `json:"monitoring"` // "disarm"
}

// HubStatus is the hub-reported status object (its device-shadow state). Known keys are typed; Raw keeps the
// whole object. A known key of an unexpected type is left zero instead of failing the hub.
type HubStatus struct {
	CSQ               string              `json:"csq"`
	IMEI              string              `json:"imei"`
	IMSI              string              `json:"imsi"`
	Mode              string              `json:"mode"`
	FwVer             string              `json:"fwVer"`
	Model             string              `json:"model"`
	Battery           FlexInt             `json:"battery"`
	Message           string              `json:"message"`
	NodeList          []int               `json:"nodeList"`
	HeartBeat         string              `json:"heartBeat"` // ISO-8601; see HeartBeatTime
	LockFWVer         []string            `json:"lockFWVer"`
	SerialSSH         bool                `json:"serialSsh"`
	HWSerialNo        FlexString          `json:"HWSerialNo"`
	AddDevice         map[string][]string `json:"add_device"`    // Z-Wave node id → [device_type, …]
	RemoveDevice      map[string]string   `json:"remove_device"` // node id → "delete"
	BoardType         string              `json:"board_type"`
	NetworkType       string              `json:"network_type"`
	SignalQuery       *SignalQuery        `json:"signal_query"`
	LastRefreshDate   string              `json:"lastRefreshDate"`
	ReadyForBleCmds   bool                `json:"readyForBleCmds"`
	SignalStrength    FlexString          `json:"signal_strength"`
	PowerNotification json.RawMessage     `json:"powerNotification"` // e.g. ["0xc1", 87]
	Online            *bool               `json:"online"`            // [INF]
	PowerSource       string              `json:"power_source"`      // [INF] "external" or "battery"
	Raw               json.RawMessage     `json:"-"`
}

// SignalQuery is the hub's connectivity report.
type SignalQuery struct {
	CSQ          string     `json:"csq"`
	WifiSS       FlexString `json:"wifi_ss"`
	CurrConnType string     `json:"curr_conn_type"`
}

// UnmarshalJSON keeps the raw value and decodes each known key on its own, so one odd key cannot fail the hub.
func (s *HubStatus) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*s = HubStatus{}
		return nil
	}
	if !json.Valid(b) {
		return fmt.Errorf("smarthome: hub status is not valid JSON")
	}
	raw := append(json.RawMessage(nil), b...)
	*s = HubStatus{}
	type plain HubStatus
	if err := unmarshalLenient(b, (*plain)(s)); err != nil {
		*s = HubStatus{} // not an object (a firmware oddity): keep it raw rather than fail the hub
	}
	s.Raw = raw
	return nil
}

// MarshalJSON writes the raw object back when there is one.
func (s HubStatus) MarshalJSON() ([]byte, error) {
	if len(s.Raw) > 0 {
		return s.Raw, nil
	}
	type plain HubStatus
	return json.Marshal(plain(s))
}

// HeartBeatTime parses the last heartbeat (ISO-8601).
func (s HubStatus) HeartBeatTime() (time.Time, error) { return ParseISOTime(s.HeartBeat) }

// HubUpdate changes a hub's descriptive fields; nil fields are not sent.
type HubUpdate struct {
	HomeName      *string            `json:"home_name,omitempty"`
	Address       *string            `json:"address,omitempty"`
	StreetAddress *string            `json:"street_address,omitempty"`
	City          *string            `json:"city,omitempty"`
	State         *string            `json:"state,omitempty"`
	Zipcode       *string            `json:"zipcode,omitempty"`
	Settings      *HubSettingsUpdate `json:"settings,omitempty"`
}

// HubSettingsUpdate changes hub settings.
type HubSettingsUpdate struct {
	TimeZone *string `json:"time_zone,omitempty"`
}
