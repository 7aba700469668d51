package views

import (
	"net/url"
	"strconv"
)

// ScheduleWeekdays are the day names of schedule blocks, index = the upstream's day number (Sunday 0).
var ScheduleWeekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// ScheduleSectionData is the schedules part of a device page: the schedules the device may run, which one it runs,
// and what it does now and next. One component renders it on page load and when htmx refreshes it.
type ScheduleSectionData struct {
	DeviceID   string
	DeviceType string
	TimeZone   string // the zone block times are in (the hub's)
	ZoneNote   string // set when the property's zone differs from the hub's
	Schedules  []ScheduleRowData
	Active     *ScheduleRowData // nil: the device runs no schedule (or one the mirror does not have)
	ActiveID   string           // the upstream's active id, even when the mirror lacks that schedule
	Since      string           // local time the active schedule was activated; may be empty
	SinceISO   string
	Now        string // the active block in force now, in words; empty when none
	Next       string // the next block start, in words; empty when none
	NextAt     string // its local time
	NextAtISO  string
	Synced     string // when the schedules were last read from the upstream; empty: never
	SyncedISO  string
	Refresh    bool   // the mirror copy is old: htmx re-reads the upstream once the page has loaded
	Notice     string // why the refresh from the upstream failed; the section still shows the mirror
	Error      string // why the last action (activate, delete) failed, with what to do
	OK         string // what the last action did
	CanManage  bool   // the viewer may create, edit, delete and activate schedules
}

// ScheduleRowData is one schedule in the device's list.
type ScheduleRowData struct {
	ID         string
	Name       string
	Blocks     []string // one line per block: "Mon–Fri 07:00–22:00 · Heat to 68 °F"
	Scope      string   // "This property" or "Every property"
	Active     bool
	Updated    string
	UpdatedISO string
}

// DOMID is the section's element id, the target of its own refreshes and actions.
func (d ScheduleSectionData) DOMID() string { return domID("device-schedules", d.DeviceID) }

// SectionURL refreshes the section from the upstream.
func (d ScheduleSectionData) SectionURL() string { return scheduleBase(d.DeviceID) }

// NewURL is the editor for a new schedule of the device.
func (d ScheduleSectionData) NewURL() string { return scheduleBase(d.DeviceID) + "/new" }

// ActivateURL activates schedule id on the device.
func (d ScheduleSectionData) ActivateURL(id string) string {
	return scheduleURL(d.DeviceID, id) + "/activate"
}

// EditURL is the editor of schedule id.
func (d ScheduleSectionData) EditURL(id string) string { return scheduleURL(d.DeviceID, id) + "/edit" }

// DeleteURL is the delete confirmation of schedule id.
func (d ScheduleSectionData) DeleteURL(id string) string {
	return scheduleURL(d.DeviceID, id) + "/delete"
}

func scheduleBase(deviceID string) string { return deviceURL(deviceID) + "/schedules" }

func scheduleURL(deviceID, scheduleID string) string {
	return scheduleBase(deviceID) + "/" + url.PathEscape(scheduleID)
}

// ScheduleEditorData is the create or edit form of a schedule. Blocks are rows of the form, as entered; an empty
// row is ignored when saving.
type ScheduleEditorData struct {
	DeviceID   string
	DeviceName string
	DeviceType string // thermostat, switch or dimmable_switch: which value fields a block has
	ScheduleID string // "" for a new schedule
	Name       string
	Blocks     []ScheduleBlockFormData
	MaxBlocks  int
	TimeZone   string   // the zone the times are entered in
	RunningOn  int      // devices running the schedule now (edit only)
	Errors     []string // why the last save failed; each names its block
	Status     int      // the HTTP status the page is answered with (422 when Errors is set)
}

// ScheduleBlockFormData is one block row of the editor. Values are the strings entered, so a rejected form comes
// back exactly as typed.
type ScheduleBlockFormData struct {
	Days    [7]bool
	From    string
	To      string
	Mode    string
	Heat    string
	Cool    string
	Power   string
	Invalid bool // the row has a problem listed in Errors
}

// Action is where the form saves.
func (d ScheduleEditorData) Action() string {
	if d.ScheduleID == "" {
		return scheduleBase(d.DeviceID)
	}
	return scheduleURL(d.DeviceID, d.ScheduleID) + "/edit"
}

// RowsURL re-renders the form with a block added or removed.
func (d ScheduleEditorData) RowsURL() string { return scheduleBase(d.DeviceID) + "/form" }

// CanAdd reports whether another block row fits.
func (d ScheduleEditorData) CanAdd() bool { return len(d.Blocks) < d.MaxBlocks }

// Modes are the mode choices of the device type, as value/label pairs.
func (d ScheduleEditorData) Modes() [][2]string {
	if d.DeviceType == "thermostat" {
		return [][2]string{{"heat", "Heat"}, {"cool", "Cool"}, {"auto", "Auto"}, {"off", "Off"}}
	}
	return [][2]string{{"on", "On"}, {"off", "Off"}}
}

// field is the form name of a block field: "from-3".
func blockField(name string, i int) string { return name + "-" + strconv.Itoa(i) }

// ScheduleDeleteData is the confirmation page before a schedule is deleted.
type ScheduleDeleteData struct {
	DeviceID   string
	DeviceName string
	ScheduleID string
	Name       string
	Blocks     []string
	RunningOn  []DeviceLinkData // devices that stop running it
	Error      string
}

// Action is where the confirmation posts.
func (d ScheduleDeleteData) Action() string { return scheduleURL(d.DeviceID, d.ScheduleID) + "/delete" }

// DeviceLinkData names a device and links to it.
type DeviceLinkData struct {
	ID, Name string
}
