package views

// DeviceEditData is the rename form of a device: its name and the resident-facing name (occupant setting).
type DeviceEditData struct {
	ID              string
	Title           string // the device's current name, for the page head
	Name            string
	OccupantSetting string
	MaxLen          int      // the limit of both fields, in characters
	Errors          []string // why the last submission was refused; nothing was saved
}

// Action is where the form posts.
func (d DeviceEditData) Action() string { return deviceURL(d.ID) + "/edit" }

// DOMID is the card's element id on the device page.
func (d DeviceEditData) DOMID() string { return domID("device-edit", d.ID) }
