package views

// NavDevices marks the device list in the navigation.
const NavDevices = "devices"

// DeviceFilterData is the device list's filter form, as the query string gave it (checked values only).
type DeviceFilterData struct {
	Q            string // device name or occupant setting
	Type         string // one of Types' values, or ""
	PropertyID   string // "" for any
	PropertyName string // the property's name, shown on the chip that removes the property filter
	City         string
	BatteryBelow string // "1"–"100", or ""
	Offline      bool   // offline=1
	Alerts       bool   // alerts=1
	Sort         string // name | property | battery | changed
	Dir          string // asc | desc
	Types        []OptionData
	Cities       []string // the mirror's cities; the chosen city is among them even when the mirror has none of it
	ClearURL     string   // this filter without its property (the chip's link)
}

// filtering reports whether the list is narrowed (sorting narrows nothing).
func (f DeviceFilterData) filtering() bool {
	return f.Q != "" || f.Type != "" || f.PropertyID != "" || f.City != "" || f.BatteryBelow != "" || f.Offline || f.Alerts
}

// QuickFilterData is a saved filter offered as one link; URL keeps the chosen city.
type QuickFilterData struct {
	Label, URL, Key string
	Current         bool // the list shows exactly this filter
}

// DeviceListData is the device list page and its results fragment.
type DeviceListData struct {
	Filter DeviceFilterData
	Quick  []QuickFilterData
	Errors []string // filter values that could not be used, each named, and ignored
	Rows   []DeviceListRowData
	Total  int
	Pages  PageLinks
	Sync   SyncData
}

// DeviceListRowData is one device in the list.
type DeviceListRowData struct {
	ID, Name, Occupant, Type string
	PropertyID, PropertyName string // empty when unassigned
	City                     string
	HubID, HubName           string
	Online, HubOnline        bool
	Battery                  BatteryData
	Alerts                   int    // open alert records
	Changed, ChangedISO      string // last change of state, in the property's zone
}
