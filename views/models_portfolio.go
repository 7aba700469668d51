package views

import "github.com/a-h/templ"

// HomeData is the home page: portfolio counts, sync status and what needs attention now.
type HomeData struct {
	Properties   int
	Hubs         int
	HubsOffline  int
	LowBatteries int
	AlertCount   int // every unresolved alert record; Alerts may hold fewer (the handler caps the list)
	Sync         SyncData
	Alerts       AlertTableData // the unresolved alerts, newest first; live: new ones arrive on top
	Warnings     []NoticeData   // configuration problems, e.g. no webhook secret
}

// Alert kinds, as AlertRowData.Kind.
const (
	AlertHubOffline = "hub_offline"
	AlertLowBattery = "low_battery"
	AlertLeak       = "leak"
	AlertTamper     = "tamper"
	AlertJammed     = "jammed"
)

// PropertyFilterData is the property list's search form, as the query string gave it.
type PropertyFilterData struct {
	Q          string
	HubOffline bool   // hub_offline=1
	LowBattery bool   // low_battery=1
	HasAlerts  bool   // has_alerts=1
	Sort       string // name | city | alerts | synced
	Dir        string // asc | desc
}

// filtering reports whether the list is narrowed by a search or a checkbox (sorting narrows nothing).
func (f PropertyFilterData) filtering() bool {
	return f.Q != "" || f.HubOffline || f.LowBattery || f.HasAlerts
}

// PropertyListData is the property list page and its results fragment.
type PropertyListData struct {
	Filter PropertyFilterData
	Rows   []PropertyRowData
	Total  int // matches across all pages
	Pages  PageLinks
	Sync   SyncData
}

// PropertyRowData is one row of the property list.
type PropertyRowData struct {
	ID, Name, Address, City, TimeZone string
	Hubs, HubsOffline, Devices        int
	LowBattery, Alerts                int
	Synced, SyncedISO                 string // when this property was last refreshed; may be empty
}

// PropertyDetailData is one property's page.
type PropertyDetailData struct {
	ID, Name, Address, TimeZone string
	Sync                        SyncData
	Hubs                        []HubRowData
	Devices                     []DeviceGroupData // grouped by type, in display order
	Sections                    []templ.Component // feature sections (codes, reservations…), rendered in order after the devices
}

// HubFilterData is the hub list's search form.
type HubFilterData struct {
	Q       string // home name or serial number
	Offline bool   // offline=1
}

// HubListData is the hub list page and its results fragment.
type HubListData struct {
	Filter HubFilterData
	Rows   []HubRowData
	Total  int
	Pages  PageLinks
	Sync   SyncData
}

// HubRowData is a hub in a list (the hub list and a property's hubs).
type HubRowData struct {
	ID, Name, Serial string
	PropertyID       string // empty when unassigned
	PropertyName     string
	Online           bool
	LastHeartbeat    string // local time; empty when the hub never reported
	LastHeartbeatISO string
	Battery          BatteryData
	Devices          int
}

// HubDetailData is one hub's page.
type HubDetailData struct {
	ID, Name, Serial         string
	Online                   bool
	LastHeartbeat            string
	LastHeartbeatISO         string
	PowerSource              string // "External power", "Battery"
	Battery                  BatteryData
	Signal                   string // as the hub reports it, e.g. "-67 dBm" or "Good"
	Firmware, Model          string
	NetworkType              string // "Cellular", "Wi-Fi", "Ethernet"
	PropertyID, PropertyName string
	TimeZone                 string
	Devices                  []DeviceRowData
	Sync                     SyncData
	Sections                 []templ.Component // feature sections (commands, activity…), rendered in order after the devices
}
