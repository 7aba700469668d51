package handlers

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/smarthome"
)

// cmdFormError is a problem with what a person typed: the form shows msg next to field, the answer is 422, and
// nothing is written or sent.
type cmdFormError struct{ field, msg string }

func (e *cmdFormError) Error() string { return "form: " + e.field + ": " + e.msg }

func cmdInvalid(field, msg string) error { return &cmdFormError{field: field, msg: msg} }

// maxNodeID is the highest Z-Wave node id.
const maxNodeID = 232

// parseDeviceForm validates a command form for dev against its type's rules (reference §7) and the thermostat's
// current setpoints, so the person gets a precise message instead of the upstream's 422.
func parseDeviceForm(dev db.Device, form url.Values) (commands.Spec, error) {
	allowed, ok := commands.DeviceActions(dev.Type)
	if !ok {
		return commands.Spec{}, cmdInvalid("action", "This device does not accept commands.")
	}
	action := strings.TrimSpace(form.Get("action"))
	if !slices.Contains(allowed, action) {
		return commands.Spec{}, cmdInvalid("action", "Choose one of: "+strings.Join(actionLabels(allowed), ", ")+".")
	}
	spec := commands.Spec{Action: action}
	switch action {
	case commands.ActLevel:
		lvl, err := cmdFormInt(form, "level", "Level", 0, 100, "%")
		if err != nil {
			return commands.Spec{}, err
		}
		if lvl == nil {
			return commands.Spec{}, cmdInvalid("level", "Level is required: a whole number from 0 to 100.")
		}
		spec.Level = lvl
	case commands.ActThermostat:
		if err := parseThermostatForm(dev, form, &spec); err != nil {
			return commands.Spec{}, err
		}
	}
	if _, err := spec.Wire(dev.Type); err != nil { // the client's own checks, as a last line
		return commands.Spec{}, cmdInvalid("action", "This command is not valid: "+strings.TrimPrefix(err.Error(), smarthome.ErrValidation.Error()+": ")+".")
	}
	return spec, nil
}

func actionLabels(actions []string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = commands.Spec{Action: a}.Label()
	}
	return out
}

// parseThermostatForm reads mode, setpoints and fan; a blank field leaves that setting as it is.
func parseThermostatForm(dev db.Device, form url.Values, spec *commands.Spec) error {
	choice := func(field, label string, values []string) (*string, error) {
		v := strings.TrimSpace(form.Get(field))
		if v == "" {
			return nil, nil
		}
		if !slices.Contains(values, v) {
			return nil, cmdInvalid(field, label+" must be one of: "+strings.Join(values, ", ")+".")
		}
		return &v, nil
	}
	var err error
	if spec.Mode, err = choice("mode", "Mode", []string{"off", "heat", "cool", "auto"}); err != nil {
		return err
	}
	if spec.Fan, err = choice("fan", "Fan", []string{"auto", "on"}); err != nil {
		return err
	}
	if spec.Heating, err = cmdFormInt(form, "heating_setpoint", "Heating setpoint", smarthome.MinSetpoint, smarthome.MaxSetpoint, " °F"); err != nil {
		return err
	}
	if spec.Cooling, err = cmdFormInt(form, "cooling_setpoint", "Cooling setpoint", smarthome.MinSetpoint, smarthome.MaxSetpoint, " °F"); err != nil {
		return err
	}
	if spec.Mode == nil && spec.Fan == nil && spec.Heating == nil && spec.Cooling == nil {
		return cmdInvalid("mode", "Change at least one setting: mode, a setpoint or the fan.")
	}
	heat, cool := spec.Heating, spec.Cooling
	if heat == nil || cool == nil { // the one not sent keeps its current value, which must still leave the gap
		curHeat, curCool := currentSetpoints(dev)
		if heat == nil {
			heat = curHeat
		}
		if cool == nil {
			cool = curCool
		}
	}
	if (spec.Heating != nil || spec.Cooling != nil) && heat != nil && cool != nil && *heat > *cool-smarthome.SetpointGap {
		field := "heating_setpoint"
		if spec.Heating == nil {
			field = "cooling_setpoint"
		}
		return cmdInvalid(field, "The heating setpoint ("+strconv.Itoa(*heat)+" °F) must be at least "+
			strconv.Itoa(smarthome.SetpointGap)+" °F below the cooling setpoint ("+strconv.Itoa(*cool)+" °F).")
	}
	return nil
}

// currentSetpoints reads the thermostat's setpoints from the mirror; nil when not reported.
func currentSetpoints(dev db.Device) (heat, cool *int) {
	var st struct {
		Heat smarthome.FlexInt `json:"heating_setpoint"`
		Cool smarthome.FlexInt `json:"cooling_setpoint"`
	}
	if json.Unmarshal([]byte(dev.State), &st) != nil {
		return nil, nil
	}
	if st.Heat != 0 {
		heat = smarthome.Ptr(st.Heat.Int())
	}
	if st.Cool != 0 {
		cool = smarthome.Ptr(st.Cool.Int())
	}
	return heat, cool
}

// cmdFormInt reads an optional whole number in [lo, hi]; blank is nil.
func cmdFormInt(form url.Values, field, label string, lo, hi int, unit string) (*int, error) {
	v := strings.TrimSpace(form.Get(field))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 6 || n < lo || n > hi {
		return nil, cmdInvalid(field, label+" must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+unit+".")
	}
	return &n, nil
}

// parseHubForm validates a hub command form: one of the hub commands, a node id only with remove_device, and with
// add_device the type being paired (one of smarthome.DeviceTypes).
func parseHubForm(form url.Values) (commands.Spec, error) {
	action := strings.TrimSpace(form.Get("action"))
	if hubActions := commands.HubActions(); !slices.Contains(hubActions, action) {
		return commands.Spec{}, cmdInvalid("action", "Choose one of: "+strings.Join(actionLabels(hubActions), ", ")+".")
	}
	spec := commands.Spec{Action: action}
	node := strings.TrimSpace(form.Get("node_id"))
	if action == smarthome.HubRemoveDevice {
		n, err := strconv.Atoi(node)
		if err != nil || len(node) > 3 || n < 1 || n > maxNodeID {
			return commands.Spec{}, cmdInvalid("node_id", "Node id must be a whole number from 1 to "+strconv.Itoa(maxNodeID)+
				" (the Z-Wave node of the device to remove).")
		}
		spec.NodeID = strconv.Itoa(n)
	}
	if action == smarthome.HubAddDevice {
		t := strings.TrimSpace(form.Get("device_type"))
		if !smarthome.IsDeviceType(t) {
			return commands.Spec{}, cmdInvalid("device_type", "Choose the type of the device you are pairing from the list.")
		}
		spec.DeviceType = t
	}
	if err := spec.HubWire().Validate(); err != nil {
		return commands.Spec{}, cmdInvalid("action", "This hub command is not valid.")
	}
	return spec, nil
}

// asCmdFormError reports whether err is a form problem and returns it.
func asCmdFormError(err error) (*cmdFormError, bool) {
	var fe *cmdFormError
	ok := errors.As(err, &fe)
	return fe, ok
}
