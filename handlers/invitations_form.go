package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Invitation date limits: an invitation starts within maxInviteLead of today and lasts at most maxInviteSpan.
const (
	maxInviteLead = 2 * 365 * 24 * time.Hour
	maxInviteSpan = 5 * 366 * 24 * time.Hour
	// maxPropertyChoices bounds the property select of the create form opened without a property; beyond it staff
	// start from the property's page.
	maxPropertyChoices = 500
)

// invitationInput is an invitation form that passed validation. Dates are civil dates (midnight UTC).
type invitationInput struct {
	property    db.Property
	email, name string
	from, to    time.Time // to is zero when open-ended
}

// parseInvitationForm validates the create form (inv nil) or the edit form of inv at property prop.
func (a *stayPages) parseInvitationForm(r *http.Request, inv *db.Invitation, prop db.Property) (invitationInput, views.InvitationFormData, formProblems) {
	f := r.PostForm
	form := views.InvitationFormData{PropertyID: f.Get("property_id"), Email: f.Get("email"), Name: f.Get("name"),
		From: f.Get("from"), To: f.Get("to"), Editing: inv != nil}
	var p formProblems
	for _, k := range []string{"property_id", "email", "name", "from", "to"} {
		if len(f.Get(k)) > maxAccessFieldBytes {
			p.add("The %s field is far too long.", strings.ReplaceAll(k, "_", " "))
			return invitationInput{}, views.InvitationFormData{Editing: inv != nil}, p
		}
	}
	in := invitationInput{email: strings.TrimSpace(form.Email), name: strings.TrimSpace(form.Name), property: prop}
	if inv == nil {
		if got, ok := a.formProperty(r, &p); ok {
			in.property = got
		}
		p.checkEmail("Email", in.email, true)
	}
	p.checkName("Name", in.name, maxAccessGuestName, false)
	var err error
	if in.from, err = stays.ParseDate(form.From); err != nil {
		p.add("From must be a date, like 2027-03-13.")
	}
	if strings.TrimSpace(form.To) != "" {
		if in.to, err = stays.ParseDate(form.To); err != nil {
			p.add("To must be a date, like 2027-03-20, or empty for no end.")
		}
	}
	loc := tz.Load(in.property.TimeZone)
	now, _ := stays.ParseDate(stays.Today(a.Stays.Now(), loc))
	switch {
	case in.from.IsZero():
	case !in.to.IsZero() && in.to.Before(in.from):
		p.add("To must not be before From.")
	case in.from.Sub(now) > maxInviteLead:
		p.add("From must be within two years from today.")
	case !in.to.IsZero() && in.to.Sub(in.from) > maxInviteSpan:
		p.add("An invitation can last at most five years; leave To empty for no end.")
	case inv == nil && !in.to.IsZero() && in.to.Before(now):
		p.add("To is in the past: the invitation would already be over.")
	case inv != nil && inv.ToDate != "" && in.to.IsZero():
		p.add("To cannot be emptied once set (the Smart Home service keeps the last day); choose a later last day instead.")
	}
	return in, form, p
}

// propertyChoices lists properties for the create form's select, by name.
func (a *stayPages) propertyChoices(r *http.Request, selected string) ([]views.OptionData, error) {
	var out []views.OptionData
	for page := 1; len(out) < maxPropertyChoices; page++ {
		res, err := a.Store.ListProperties(r.Context(), db.PropertyFilter{Page: page, PerPage: db.MaxPerPage})
		if err != nil {
			return nil, err
		}
		for _, p := range res.Items {
			id := strconv.FormatInt(p.ID, 10)
			out = append(out, views.OptionData{Value: id, Label: p.Name, Selected: id == selected})
		}
		if page*res.PerPage >= res.Total {
			break
		}
	}
	return out, nil
}

// request is the upstream body of a validated create form.
func (in invitationInput) request() smarthome.InvitationRequest {
	return smarthome.InvitationRequest{Email: in.email, Name: in.name, PropertyID: in.property.ID, From: in.from, To: in.to}
}

// update is the upstream body of a validated edit form. An empty To makes the invitation open-ended.
func (in invitationInput) update() smarthome.InvitationUpdate {
	u := smarthome.InvitationUpdate{Name: &in.name, From: &in.from}
	if !in.to.IsZero() {
		u.To = &in.to
	}
	return u
}
