package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// Guest link form limits.
const maxInstructions = 2000

// newGuestToken draws a link token: 32 random bytes, base64url (43 characters, 256 bits). Only its hash is stored.
func newGuestToken() (token, hash string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	return token, auth.HashToken(token), nil
}

// parseLinkForm validates the form that makes a guest link for inv at property p.
func (a *stayPages) parseLinkForm(r *http.Request, inv db.Invitation, p db.Property) (stays.LinkRequest, views.GuestLinkFormData, formProblems) {
	f := r.PostForm
	form := views.GuestLinkFormData{GuestName: f.Get("guest_name"), Starts: f.Get("starts"), Ends: f.Get("ends"),
		Instructions: f.Get("instructions"), AllowUnlock: f.Get("allow_unlock") != ""}
	var pr formProblems
	for _, k := range []string{"guest_name", "starts", "ends", "instructions"} {
		if len(f.Get(k)) > maxAccessFieldBytes*2 {
			pr.add("The %s field is far too long.", strings.ReplaceAll(k, "_", " "))
			return stays.LinkRequest{}, views.GuestLinkFormData{}, pr
		}
	}
	in := stays.LinkRequest{GuestName: strings.TrimSpace(form.GuestName), Instructions: strings.TrimSpace(form.Instructions),
		AllowUnlock: form.AllowUnlock}
	loc := tz.Load(p.TimeZone)
	pr.checkName("Guest's name", in.GuestName, stays.MaxLinkGuestName, true)
	in.Starts = pr.localTimeField("Window starts", form.Starts, loc)
	in.Ends = pr.localTimeField("Window ends", form.Ends, loc)
	pr.checkText("Arrival instructions", in.Instructions, maxInstructions)
	if inv.Status != db.InvitationActive {
		pr.add("This invitation was removed: it cannot get new guest links.")
	}
	if in.Starts.IsZero() || in.Ends.IsZero() {
		return in, form, pr
	}
	switch err := stays.CheckLinkWindow(inv, loc, in.Starts, in.Ends, a.Stays.Now()); {
	case errors.Is(err, stays.ErrWindowOrder):
		pr.add("The window must end after it starts.")
	case errors.Is(err, stays.ErrWindowOver):
		pr.add("The window has already ended: choose an end in the future.")
	case errors.Is(err, stays.ErrWindowTooLong):
		pr.add("A guest link's window can last at most %d days.", int(stays.MaxLinkWindow/(24*time.Hour)))
	case errors.Is(err, stays.ErrWindowOutside):
		last := "no end"
		if inv.ToDate != "" {
			last = inviteDateText(inv.ToDate)
		}
		pr.add("The window must fall within the invitation's dates (%s – %s, %s).", inviteDateText(inv.FromDate), last, p.TimeZone)
	}
	return in, form, pr
}

// handleGuestLinkCreate makes a guest link: the code on the locks first (upstream), then the link (store); if the
// store fails, the code is deleted again so nothing is left half-made. The answer shows the link once.
func handleGuestLinkCreate(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		inv, p, err := a.loadInvitation(r)
		if err != nil {
			return err
		}
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		in, form, probs := a.parseLinkForm(r, inv, p)
		rec := auditRecord{action: "guest_link.create", targetType: "guest_link", propertyID: &p.ID}
		status := http.StatusUnprocessableEntity
		if len(probs) == 0 {
			link, token, err := a.makeGuestLink(r, inv, p, in)
			if err == nil {
				return a.showNewLink(w, r, inv, p, link, token)
			}
			if errors.Is(err, stays.ErrNotRecorded) {
				return err
			}
			var msg string
			status, msg = a.failForm(r, err, rec)
			probs = []string{msg}
		}
		form.Errors = probs
		d, err := a.invitationPage(r, inv, p, invitationPageParts{linkForm: &form})
		if err != nil {
			return err
		}
		return render(w, r, status, views.InvitationPage(a.meta(r, inv.Email, views.NavInvitations), d))
	})
}

// makeGuestLink draws the link's token (only its hash is stored) and has the stays service make the link.
func (a *stayPages) makeGuestLink(r *http.Request, inv db.Invitation, p db.Property, in stays.LinkRequest) (db.GuestLink, string, error) {
	token, hash, err := newGuestToken()
	if err != nil {
		return db.GuestLink{}, "", fmt.Errorf("%w: token: %w", stays.ErrNotRecorded, err)
	}
	link, err := a.Stays.CreateGuestLink(r.Context(), inv, p, in, hash, currentUser(r.Context()).user.ID)
	return link, token, err
}

// showNewLink answers the create with the invitation page showing the new link, the only time its token appears.
func (a *stayPages) showNewLink(w http.ResponseWriter, r *http.Request, inv db.Invitation, p db.Property, l db.GuestLink, token string) error {
	loc := tz.Load(p.TimeZone)
	detail := "window " + stays.SpanText(l.StartsAt, l.EndsAt, loc)
	if l.AllowUnlock {
		detail += ", may unlock"
	}
	audit(r, a.Store, a.Logger, auditRecord{action: "guest_link.create", targetType: "guest_link",
		targetID: strconv.FormatInt(l.ID, 10), propertyID: &p.ID, outcome: db.OutcomeOK, detail: detail})
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	nl := &views.NewGuestLinkData{URL: scheme + "://" + r.Host + "/i/" + token, GuestName: l.GuestName,
		Window: stays.SpanText(l.StartsAt, l.EndsAt, loc)}
	d, err := a.invitationPage(r, inv, p, invitationPageParts{newLink: nl})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return render(w, r, http.StatusOK, views.InvitationPage(a.meta(r, inv.Email, views.NavInvitations), d))
}

// handleGuestLinkRevoke removes the link's code from the locks upstream, then revokes the link; audited.
func handleGuestLinkRevoke(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		l, err := a.Store.GuestLink(r.Context(), id)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "guest_link.revoke", targetType: "guest_link", targetID: strconv.FormatInt(l.ID, 10), propertyID: &l.PropertyID}
		if l.RevokedAt == nil {
			err := a.Stays.RevokeGuestLink(r.Context(), l, currentUser(r.Context()).user.ID)
			switch {
			case errors.Is(err, stays.ErrNotRecorded):
				return err
			case err != nil:
				_, msg := a.failForm(r, err, rec)
				return &httpError{http.StatusBadGateway, "The link was not revoked: " + msg, err}
			}
			rec.outcome = db.OutcomeOK
			audit(r, a.Store, a.Logger, rec)
		}
		redirect(w, r, invitationURL(l.InvitationID)+"?flash=link-revoked")
		return nil
	})
}
