package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// handleMasterCodeReset: POST /hubs/{id}/master-code, installers only (auth.ResetMasterCode at the route; the
// upstream also refuses agents that are not Hub Installers). The person must confirm, since the old code stops
// working at once. The new code goes into this one response (no-store, like every signed-in page) and nowhere
// else: not the record, the audit log, the logs or the live stream.
func handleMasterCodeReset(d Deps) http.Handler {
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
		if r.PostForm.Get("confirm") != "yes" {
			st := cmdPanelState{status: http.StatusUnprocessableEntity, field: "confirm",
				err: "Tick the box to confirm the reset: the current master code stops working at once."}
			return answerCommandPanel(w, r, st, panel(st), handleHub(d))
		}
		spec := commands.Spec{Action: commands.ActReset}
		var pin smarthome.PIN
		rec, refused, err := d.sendCommand(r, db.Command{HubID: hub.ID, PropertyID: hub.PropertyID, Action: commands.ActReset,
			Command: spec.JSON()}, spec, func(ctx context.Context) (string, error) {
			var err error
			pin, err = d.Upstream.ResetHubMasterCode(ctx, hub.ID)
			return "", err
		})
		if err != nil {
			return err
		}
		if refused != nil {
			st := d.sentState(spec, false, refused)
			return answerCommandPanel(w, r, st, panel(st), handleHub(d))
		}
		// The reset is done once the upstream answers: there is nothing further to confirm.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), sendTimeout)
		defer cancel()
		done, _, err := d.Store.FinishCommand(ctx, rec.ID, db.CommandSucceeded, "",
			"A new master code was issued and shown once to the installer who reset it.", time.Time{})
		if err != nil {
			return err
		}
		d.commandNotifier().ListChanged(ctx, done)
		st := cmdPanelState{status: http.StatusOK, notice: "The master code was reset.", masterCode: pin.Reveal()}
		return answerCommandPanel(w, r, st, panel(st), handleHub(d))
	})
}
