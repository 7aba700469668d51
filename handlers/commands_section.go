package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// cmdPanelState is the outcome of a command submission, carried to the section builder through the request context
// so a plain form post can answer with the whole detail page. masterCode is shown once and never stored.
type cmdPanelState struct {
	status     int
	err, field string
	notice     string
	masterCode string
	redirect   string // where a plain form post goes after a send that worked (PRG), so a reload does not resend
}

type cmdPanelStateKey struct{}

func withCmdPanelState(ctx context.Context, st cmdPanelState) context.Context {
	return context.WithValue(ctx, cmdPanelStateKey{}, st)
}

func cmdPanelStateFrom(ctx context.Context) cmdPanelState {
	st, _ := ctx.Value(cmdPanelStateKey{}).(cmdPanelState)
	return st
}

// deviceCommandsSection is the device page's commands section: controls for operators, records for everyone.
// Devices that take no commands get a section only when records exist (sent before the type was known, say).
func deviceCommandsSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	data, err := deviceCommandsData(r, d, dev, cmdPanelStateFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	if _, commandable := commands.DeviceActions(dev.Type); !commandable && len(data.List.Cards) == 0 {
		return nil, nil
	}
	return views.CommandsSection(data), nil
}

// hubCommandsSection is the hub page's commands section, with the master-code reset for installers and the
// hub's last MQTT response.
func hubCommandsSection(r *http.Request, d Deps, h db.Hub) (templ.Component, error) {
	data, err := hubCommandsData(r, d, h, cmdPanelStateFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return views.CommandsSection(data), nil
}

func deviceCommandsData(r *http.Request, d Deps, dev db.Device, st cmdPanelState) (views.CommandsData, error) {
	ctx := r.Context()
	p := currentUser(ctx)
	data := views.CommandsData{Target: "device", ID: dev.ID, DeviceType: dev.Type, CanOperate: p.can(auth.Operate),
		Error: st.err, ErrorField: st.field, Notice: st.notice}
	fillControls(&data, dev)
	list, err := commandList(ctx, d.Store, dev.HubID, dev.ID, commandZone(ctx, d.Store, dev.HubID, dev.PropertyID))
	data.List = list
	return data, err
}

func hubCommandsData(r *http.Request, d Deps, h db.Hub, st cmdPanelState) (views.CommandsData, error) {
	ctx := r.Context()
	p := currentUser(ctx)
	data := views.CommandsData{Target: "hub", ID: h.ID, CanOperate: p.can(auth.Operate),
		CanReset: p.can(auth.ResetMasterCode), Error: st.err, ErrorField: st.field, Notice: st.notice,
		MasterCode: st.masterCode, AddTypes: smarthome.DeviceTypes()}
	list, err := commandList(ctx, d.Store, h.ID, "", commandZone(ctx, d.Store, h.ID, h.PropertyID))
	data.List = list
	return data, err
}

// fillControls starts the dimmer and thermostat controls at the mirrored values.
func fillControls(data *views.CommandsData, dev db.Device) {
	st := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(dev.State), &st)
	text := func(k string) string {
		var s string
		if json.Unmarshal(st[k], &s) == nil {
			return strings.ToLower(s)
		}
		var n smarthome.FlexInt
		if raw, ok := st[k]; ok && string(raw) != "null" && json.Unmarshal(raw, &n) == nil {
			return strconv.Itoa(n.Int())
		}
		return ""
	}
	switch dev.Type {
	case "dimmable_switch", "lightbulb":
		var n smarthome.FlexInt
		_ = json.Unmarshal(st["power"], &n)
		data.Level = n.Int()
	case "thermostat":
		data.Thermostat = views.ThermostatControlsData{Mode: text("mode"), Fan: text("fan"),
			Heating: text("heating_setpoint"), Cooling: text("cooling_setpoint")}
	}
}

// answerCommandPanel answers a command submission: htmx gets the panel it swaps; a plain form post is redirected
// back to the page after a send that worked, and otherwise gets the whole detail page (rendered by page, with st
// reaching the section builder) under st's status, so errors and a new master code show in place.
func answerCommandPanel(w http.ResponseWriter, r *http.Request, st cmdPanelState, panel func() (views.CommandsData, error), page http.Handler) error {
	if isHTMX(r) && !wantsPage(r) {
		data, err := panel()
		if err != nil {
			return err
		}
		return render(w, r, st.status, views.CommandPanel(data))
	}
	if st.redirect != "" {
		redirect(w, r, st.redirect)
		return nil
	}
	page.ServeHTTP(&cmdStatusOverride{ResponseWriter: w, status: st.status}, r.WithContext(withCmdPanelState(r.Context(), st)))
	return nil
}

// cmdStatusOverride makes a page handler that always answers 200 answer with the submission's status instead.
type cmdStatusOverride struct {
	http.ResponseWriter
	status int
}

func (s *cmdStatusOverride) WriteHeader(code int) {
	if code == http.StatusOK && s.status != 0 {
		code = s.status
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *cmdStatusOverride) Unwrap() http.ResponseWriter { return s.ResponseWriter }
