package views

// The typed state parts of the device types that used to share the generic panel (reference §14.2). Each is what
// its panel shows; an empty string is a value the device did not report.

// GarageDoorStateData is a garage door controller; State is open | closed | opening | closing.
type GarageDoorStateData struct {
	State string
}

// ValveStateData is a water valve controller; State is open (water on) | closed.
type ValveStateData struct {
	State string
}

// RepeaterStateData is a Z-Wave repeater: it reports only its power and signal.
type RepeaterStateData struct {
	Signal      string // zwave_signal as reported
	PowerSource string // main | battery
}

// SmokeAlarmStateData is a smoke alarm; Smoke is "yes" | "no". Its battery is in the panel's common part.
type SmokeAlarmStateData struct {
	Smoke string
}

// SirenStateData is a siren.
type SirenStateData struct {
	On bool
}

// LightbulbStateData is a light bulb: on or off, and its level (0–100) when on.
type LightbulbStateData struct {
	On    bool
	Level int
}

// AccessPanelStateData is an access panel (a keypad at an entrance). It carries how many codes are in use, never
// the codes.
type AccessPanelStateData struct {
	State       string // locked | unlocked; empty when unknown
	CodesInUse  int
	CodeSlots   int    // 0 when unknown
	PowerSource string // main | battery
	Signal      string // zwave_signal as reported
}

// DoorbellStateData is a doorbell: when it was last pressed, already in the property's zone.
type DoorbellStateData struct {
	LastPressed    string // empty: never pressed (or not reported)
	LastPressedISO string // RFC 3339 UTC, for <time datetime>
}

func garageLabel(state string) string {
	switch state {
	case "open", "closed", "opening", "closing":
		return humanize(state)
	}
	return "Unknown"
}

func garageBadge(state string) string {
	switch state {
	case "closed":
		return "badge-ok"
	case "open", "opening", "closing":
		return "badge-warn"
	}
	return "badge-muted"
}

func valveLabel(state string) string {
	switch state {
	case "open":
		return "Open (water on)"
	case "closed":
		return "Closed (water off)"
	}
	return "Unknown"
}

// typedSummary is the one-line summary of the types above; ok is false for other types.
func (d DeviceStateData) typedSummary() (parts []string, ok bool) {
	switch {
	case d.GarageDoor != nil:
		return []string{garageLabel(d.GarageDoor.State)}, true
	case d.Valve != nil:
		return []string{valveLabel(d.Valve.State)}, true
	case d.Repeater != nil:
		return appendNonEmpty(nil, prefixed("Signal ", d.Repeater.Signal)), true
	case d.SmokeAlarm != nil:
		return appendNonEmpty(nil, smokeLabel(d.SmokeAlarm.Smoke)), true
	case d.Siren != nil:
		return []string{sirenLabel(d.Siren.On)}, true
	case d.Lightbulb != nil:
		parts = []string{onOff(d.Lightbulb.On)}
		if d.Lightbulb.On {
			parts = append(parts, itoa(clampPercent(d.Lightbulb.Level))+"%")
		}
		return parts, true
	case d.AccessPanel != nil:
		parts = []string{lockLabel(d.AccessPanel.State)}
		if d.AccessPanel.CodesInUse > 0 {
			parts = append(parts, plural(d.AccessPanel.CodesInUse, "code", "codes"))
		}
		return parts, true
	case d.Doorbell != nil:
		if d.Doorbell.LastPressed == "" {
			return []string{"Never pressed"}, true
		}
		return []string{"Pressed " + d.Doorbell.LastPressed}, true
	}
	return nil, false
}

func prefixed(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func smokeLabel(v string) string {
	if v == "" {
		return ""
	}
	return yesNo(v, "Smoke detected", "Clear")
}

func sirenLabel(on bool) string {
	if on {
		return "Sounding"
	}
	return "Silent"
}
