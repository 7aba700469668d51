package views

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// domID builds an element id "<prefix>-<id>" with id lowercased and every character outside [a-z0-9-] replaced
// by "-", so upstream ids (UUIDs, integers) are safe in ids and in CSS selectors built from them.
func domID(prefix, id string) string {
	var b strings.Builder
	b.Grow(len(prefix) + 1 + len(id))
	b.WriteString(prefix)
	b.WriteByte('-')
	for _, r := range strings.ToLower(id) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// localURL passes through same-origin paths ("/x?y") and turns anything else into "" so a URL that reached a
// view model by mistake can never point htmx or EventSource at another origin or a javascript: URL.
func localURL(u string) string {
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, `/\`) {
		return ""
	}
	return u
}

// targetSelector passes through an id selector ("#property-results") and turns anything else into "", so
// pagination falls back to plain links rather than handing htmx an arbitrary selector.
func targetSelector(sel string) string {
	if len(sel) < 2 || sel[0] != '#' {
		return ""
	}
	for _, r := range sel[1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return ""
		}
	}
	return sel
}

func propertyURL(id string) string { return "/properties/" + url.PathEscape(id) }
func hubURL(id string) string      { return "/hubs/" + url.PathEscape(id) }
func deviceURL(id string) string   { return "/devices/" + url.PathEscape(id) }

func itoa(n int) string { return strconv.Itoa(n) }

// plural formats a count with the right noun: "1 property", "3 properties".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// humanize turns an upstream enum ("Pending_Cool", "power_source") into a label ("Pending cool", "Power source").
func humanize(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", " "))
	if s == "" {
		return ""
	}
	s = strings.ToLower(s)
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// orDash shows an em dash for a value that was not reported.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// deviceTypes holds the labels of the device types we know; others are humanized.
var deviceTypes = map[string][2]string{
	"lock":             {"Lock", "Locks"},
	"thermostat":       {"Thermostat", "Thermostats"},
	"switch":           {"Switch", "Switches"},
	"dimmable_switch":  {"Dimmer", "Dimmers"},
	"lightbulb":        {"Light bulb", "Light bulbs"},
	"leakage_sensor":   {"Leak sensor", "Leak sensors"},
	"contact_sensor":   {"Door/window sensor", "Door/window sensors"},
	"motion_sensor":    {"Motion sensor", "Motion sensors"},
	"smoke_alarm":      {"Smoke alarm", "Smoke alarms"},
	"garage_door":      {"Garage door", "Garage doors"},
	"valve_controller": {"Water valve", "Water valves"},
	"repeater":         {"Repeater", "Repeaters"},
	"door_bell":        {"Doorbell", "Doorbells"},
	"siren":            {"Siren", "Sirens"},
	"access_panel":     {"Access panel", "Access panels"},
	"hub":              {"Hub", "Hubs"},
}

// DeviceTypeLabel is the display name of a device_type ("dimmable_switch" → "Dimmer").
func DeviceTypeLabel(deviceType string) string {
	if l, ok := deviceTypes[deviceType]; ok {
		return l[0]
	}
	return orDash(humanize(deviceType))
}

// deviceTypePlural is the group heading for a device_type.
func deviceTypePlural(deviceType string) string {
	if l, ok := deviceTypes[deviceType]; ok {
		return l[1]
	}
	return orDash(humanize(deviceType))
}

// Label is the battery as shown: "87%", or "—" when the device has none.
func (b BatteryData) Label() string {
	if !b.Known {
		return "—"
	}
	return strconv.Itoa(clampPercent(b.Percent)) + "%"
}

func flashClass(kind string) string {
	switch kind {
	case "ok", "error", "info":
		return "flash flash-" + kind
	}
	return "flash flash-info"
}

func noticeClass(kind string) string {
	switch kind {
	case "info", "warn", "danger":
		return "notice notice-" + kind
	}
	return "notice notice-info"
}

// alertLabel names an alert kind.
func alertLabel(kind string) string {
	switch kind {
	case AlertHubOffline:
		return "Hub offline"
	case AlertLowBattery:
		return "Low battery"
	case AlertLeak:
		return "Leak"
	case AlertTamper:
		return "Tamper"
	case AlertJammed:
		return "Lock jammed"
	case AlertSmoke:
		return "Smoke"
	case AlertTemperatureHigh:
		return "Too hot"
	case AlertTemperatureLow:
		return "Too cold"
	}
	return orDash(humanize(kind))
}
