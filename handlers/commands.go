package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// maxCommandForm bounds a command form body; the biggest real one is a few dozen bytes.
const maxCommandForm = 8 << 10

// sendTimeout bounds the upstream call and the record updates of one submission. They run detached from the
// request, so a browser that goes away mid-send cannot leave a record pending while the command was accepted.
const sendTimeout = 30 * time.Second

// handleDeviceCommand: POST /devices/{id}/commands. Validates the form for the device's type, writes a pending
// record, sends the command, and answers with the commands panel (or the whole page without htmx).
func handleDeviceCommand(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, err := d.Store.Device(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxCommandForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		panel := func(st cmdPanelState) func() (views.CommandsData, error) {
			return func() (views.CommandsData, error) { return deviceCommandsData(r, d, dev, st) }
		}
		spec, err := parseDeviceForm(dev, r.PostForm)
		if fe, ok := asCmdFormError(err); ok {
			st := cmdPanelState{status: http.StatusUnprocessableEntity, err: fe.msg, field: fe.field}
			return answerCommandPanel(w, r, st, panel(st), handleDevice(d))
		}
		cmd, err := spec.Wire(dev.Type)
		if err != nil {
			return err
		}
		rec := db.Command{HubID: dev.HubID, DeviceID: dev.ID, PropertyID: dev.PropertyID, Action: spec.Action,
			Command: spec.JSON()}
		_, refused, err := d.sendCommand(r, rec, spec, func(ctx context.Context) (string, error) {
			return "", d.Upstream.SendDeviceCommand(ctx, dev.ID, cmd)
		})
		if err != nil {
			return err
		}
		st := d.sentState(spec, true, refused)
		if refused == nil {
			st.redirect = "/devices/" + url.PathEscape(dev.ID)
		}
		return answerCommandPanel(w, r, st, panel(st), handleDevice(d))
	})
}

// handleHubCommand: POST /hubs/{id}/commands, as handleDeviceCommand for the hub commands of CONTRACT.md.
func handleHubCommand(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		hub, err := d.Store.Hub(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxCommandForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		panel := func(st cmdPanelState) func() (views.CommandsData, error) {
			return func() (views.CommandsData, error) { return hubCommandsData(r, d, hub, st) }
		}
		spec, err := parseHubForm(r.PostForm)
		if fe, ok := asCmdFormError(err); ok {
			st := cmdPanelState{status: http.StatusUnprocessableEntity, err: fe.msg, field: fe.field}
			return answerCommandPanel(w, r, st, panel(st), handleHub(d))
		}
		rec := db.Command{HubID: hub.ID, PropertyID: hub.PropertyID, Action: spec.Action, Command: spec.JSON()}
		_, refused, err := d.sendCommand(r, rec, spec, func(ctx context.Context) (string, error) {
			return d.Upstream.SendHubCommand(ctx, hub.ID, spec.HubWire())
		})
		if err != nil {
			return err
		}
		st := d.sentState(spec, false, refused)
		if refused == nil {
			st.redirect = "/hubs/" + url.PathEscape(hub.ID)
		}
		return answerCommandPanel(w, r, st, panel(st), handleHub(d))
	})
}

// sendCommand writes rec as pending, sends it with send, and settles what the send alone decides: an upstream
// error fails the record at once with the reason its card shows. Each step is audited and pushed live. It returns
// the record as it stands and the upstream's refusal (already recorded); err is only for the store failing.
func (d Deps) sendCommand(r *http.Request, rec db.Command, spec commands.Spec, send func(context.Context) (string, error)) (_ db.Command, refused, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), sendTimeout)
	defer cancel()
	if p := currentUser(ctx); p != nil {
		rec.UserID, rec.UserEmail = &p.user.ID, p.user.Email
	}
	if rec, err = d.Store.CreateCommand(ctx, rec); err != nil {
		return rec, nil, err
	}
	n := d.commandNotifier()
	n.ListChanged(ctx, rec)
	device := rec.DeviceID != ""
	target, targetID := "hub", rec.HubID
	if device {
		target, targetID = "device", rec.DeviceID
	}
	entry := auditRecord{action: spec.AuditAction(device), targetType: target, targetID: targetID,
		propertyID: rec.PropertyID, detail: spec.Label() + " (command " + strconv.FormatInt(rec.ID, 10) + ")"}
	upstreamID, refused := send(ctx)
	if refused != nil {
		_, reason := failureReason(spec, refused)
		done, _, err := d.Store.FinishCommand(ctx, rec.ID, db.CommandFailed, reason, "", time.Time{})
		if err != nil {
			return rec, refused, err
		}
		n.ListChanged(ctx, done)
		entry.outcome, entry.detail = db.OutcomeFailed, entry.detail+": "+reason
		audit(r, d.Store, d.Logger, entry)
		return done, refused, nil
	}
	if upstreamID != "" {
		if err := d.Store.SetCommandUpstreamID(ctx, rec.ID, upstreamID); err != nil {
			return rec, nil, err
		}
		rec.UpstreamID = upstreamID
	}
	entry.outcome = db.OutcomeOK
	audit(r, d.Store, d.Logger, entry)
	return rec, nil, nil
}

// failureReason is the status and the message a refused send gets, on the card and in the form.
func failureReason(spec commands.Spec, err error) (int, string) {
	status, msg := classify(err) // a timeout says the command may still arrive: a request with a body is served even after its sender hung up
	if spec.Action == commands.ActReset && errors.Is(err, smarthome.ErrForbidden) {
		msg = "The Smart Home service refused to reset the master code (403: " + upstream.Message(err) + "). " +
			"The account this dashboard signs in with is not a Hub Installer; ask an administrator to connect one."
	}
	return status, msg
}

// sentState is the panel after a send: the refusal in the form, or the wait for the hardware.
func (d Deps) sentState(spec commands.Spec, device bool, refused error) cmdPanelState {
	if refused != nil {
		status, msg := failureReason(spec, refused)
		return cmdPanelState{status: status, err: msg + " The command is recorded as failed."}
	}
	d.Commands.Track()
	what := "hub"
	if device {
		what = "device"
	}
	return cmdPanelState{status: http.StatusOK, notice: "Sent: " + spec.Label() + ". Waiting for the " + what +
		" to confirm; the record below updates by itself."}
}

// handleCommandList: GET /devices/{id}/commands and GET /hubs/{id}/commands answer the records list's content,
// which the page re-reads after its live stream reconnects.
func handleCommandList(d Deps, target string) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		var hubID, deviceID string
		var propertyID *int64
		if target == "device" {
			dev, err := d.Store.Device(ctx, r.PathValue("id"))
			if err != nil {
				return err
			}
			hubID, deviceID, propertyID = dev.HubID, dev.ID, dev.PropertyID
		} else {
			h, err := d.Store.Hub(ctx, r.PathValue("id"))
			if err != nil {
				return err
			}
			hubID, propertyID = h.ID, h.PropertyID
		}
		l, err := commandList(ctx, d.Store, hubID, deviceID, commandZone(ctx, d.Store, hubID, propertyID))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.CommandCards(l))
	})
}

// handleHubMQTT: GET /hubs/{id}/mqtt answers the hub's last MQTT response panel, read from the upstream.
func handleHubMQTT(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		h, err := d.Store.Hub(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		m, err := d.Upstream.HubMQTTResponse(r.Context(), h.ID)
		loc := commandZone(r.Context(), d.Store, h.ID, h.PropertyID)
		return render(w, r, http.StatusOK, views.MQTTPanel(mqttData(h.ID, m, err, loc)))
	})
}
