package smarthome

import "slices"

// deviceTypes are the device_type values of reference §14.2 other than "hub": the first six are confirmed
// upstream, the rest are the inferred snake_case names the simulator also uses.
var deviceTypes = []string{"lock", "thermostat", "switch", "dimmable_switch", "leakage_sensor", "contact_sensor",
	"motion_sensor", "garage_door", "lightbulb", "repeater", "valve_controller", "smoke_alarm", "door_bell", "siren",
	"access_panel"}

// DeviceTypes returns the 15 device types a hub can pair, a copy the caller may keep.
func DeviceTypes() []string { return slices.Clone(deviceTypes) }

// IsDeviceType reports whether t is one of DeviceTypes.
func IsDeviceType(t string) bool { return slices.Contains(deviceTypes, t) }
