package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// automationsPropertySection adds a property's automations to its page, for those who set alert thresholds.
func automationsPropertySection(r *http.Request, d Deps, p propertyView) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ConfigureAlerts) {
		return nil, nil
	}
	a, err := d.Store.PropertyAutomations(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	data := views.AutomationsData{PropertyID: strconv.FormatInt(p.ID, 10), LeakClosesValve: a.LeakClosesValve,
		Saved: r.URL.Query().Get("automations") == "saved"}
	for _, dev := range p.Devices {
		if dev.Type == "valve_controller" {
			data.Valves++
		}
	}
	return views.AutomationsSection(data), nil
}

// handleAutomationsSave: POST /properties/{id}/automations stores the property's automations (a checkbox per
// automation: absent is off) and goes back to the property's page. Audited as automation.set.
func handleAutomationsSave(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		if _, err := d.Store.Property(ctx, id); err != nil {
			return err
		}
		var leak bool
		switch v := r.PostFormValue("leak_closes_valve"); v {
		case "", "off":
		case "on":
			leak = true
		default:
			return badRequest("Unknown value for the leak automation.", nil)
		}
		uid := currentUser(ctx).user.ID
		rec := auditRecord{action: "automation.set", targetType: "property", targetID: strconv.FormatInt(id, 10),
			propertyID: &id, outcome: db.OutcomeOK, detail: "leak closes water valves: " + onOff(leak)}
		if err := d.Store.SetPropertyAutomations(ctx, db.Automations{PropertyID: id, LeakClosesValve: leak, UpdatedBy: &uid}); err != nil {
			rec.outcome = db.OutcomeFailed
			audit(r, d.Store, d.Logger, rec)
			return err
		}
		audit(r, d.Store, d.Logger, rec)
		http.Redirect(w, r, "/properties/"+url.PathEscape(strconv.FormatInt(id, 10))+"?automations=saved#automations", http.StatusSeeOther)
		return nil
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
