package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Guest link limits.
const (
	maxLinkGuestName = smarthome.MaxCodeNameLength - len(tourCodePrefix) // the code is named "Tour: <guest>"
	maxInstructions  = 2000
	maxLinkWindow    = 14 * 24 * time.Hour
	tourCodePrefix   = "Tour: "
	tourCodeAttempts = 3 // a drawn PIN that is already on a lock (409) is drawn again this often
)

// newGuestToken draws a link token: 32 random bytes, base64url (43 characters, 256 bits). Only its hash is stored.
func newGuestToken() (token, hash string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	return token, hashToken(token), nil
}

// newTourPIN draws a 6-digit PIN from the system's random source.
func newTourPIN() (smarthome.PIN, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return smarthome.PIN(fmt.Sprintf("%06d", n.Int64())), nil
}

// linkInput is a guest-link form that passed validation.
type linkInput struct {
	guestName, instructions string
	starts, ends            time.Time
	allowUnlock             bool
}

// parseLinkForm validates the form that makes a guest link for inv at property p.
func (a *access) parseLinkForm(r *http.Request, inv db.Invitation, p db.Property) (linkInput, views.GuestLinkFormData, formProblems) {
	f := r.PostForm
	form := views.GuestLinkFormData{GuestName: f.Get("guest_name"), Starts: f.Get("starts"), Ends: f.Get("ends"),
		Instructions: f.Get("instructions"), AllowUnlock: f.Get("allow_unlock") != ""}
	var pr formProblems
	for _, k := range []string{"guest_name", "starts", "ends", "instructions"} {
		if len(f.Get(k)) > maxAccessFieldBytes*2 {
			pr.add("The %s field is far too long.", strings.ReplaceAll(k, "_", " "))
			return linkInput{}, views.GuestLinkFormData{}, pr
		}
	}
	in := linkInput{guestName: strings.TrimSpace(form.GuestName), instructions: strings.TrimSpace(form.Instructions),
		allowUnlock: form.AllowUnlock}
	loc := tz.Load(p.TimeZone)
	pr.checkName("Guest's name", in.guestName, maxLinkGuestName, true)
	in.starts = pr.localTimeField("Window starts", form.Starts, loc)
	in.ends = pr.localTimeField("Window ends", form.Ends, loc)
	pr.checkText("Arrival instructions", in.instructions, maxInstructions)
	if inv.Status != db.InvitationActive {
		pr.add("This invitation was removed: it cannot get new guest links.")
	}
	if in.starts.IsZero() || in.ends.IsZero() {
		return in, form, pr
	}
	from, _ := localDayStart(inv.FromDate, loc)
	to, toErr := localDayEnd(inv.ToDate, loc)
	switch {
	case !in.ends.After(in.starts):
		pr.add("The window must end after it starts.")
	case !in.ends.After(a.now()):
		pr.add("The window has already ended: choose an end in the future.")
	case in.ends.Sub(in.starts) > maxLinkWindow:
		pr.add("A guest link's window can last at most %d days.", int(maxLinkWindow/(24*time.Hour)))
	case in.starts.Before(from) || (toErr == nil && in.ends.After(to)):
		last := "no end"
		if inv.ToDate != "" {
			last = inviteDateText(inv.ToDate)
		}
		pr.add("The window must fall within the invitation's dates (%s – %s, %s).", inviteDateText(inv.FromDate), last, p.TimeZone)
	}
	return in, form, pr
}

// createTourCode puts a code valid exactly for the window on every lock of the property, drawing a new PIN when
// the drawn one is already on a lock.
func (a *access) createTourCode(ctx context.Context, p db.Property, in linkInput) (*smarthome.LockCode, error) {
	var lastErr error
	for range tourCodeAttempts {
		pin, err := newTourPIN()
		if err != nil {
			return nil, err
		}
		req := smarthome.LockCodeRequest{Name: tourCodePrefix + in.guestName, Code: pin, PropertyID: p.ID}
		req.SetSpecificPeriod(in.starts, in.ends, tz.Load(p.TimeZone))
		lc, err := a.Upstream.CreateTourCode(ctx, req)
		if !errors.Is(err, smarthome.ErrConflict) {
			return lc, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// handleGuestLinkCreate makes a guest link: the code on the locks first (upstream), then the link (store); if the
// store fails, the code is deleted again so nothing is left half-made. The answer shows the link once.
func handleGuestLinkCreate(a *access) http.Handler {
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
			if errors.Is(err, errLinkStore) {
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

var errLinkStore = errors.New("handlers: guest link not stored")

func (a *access) makeGuestLink(r *http.Request, inv db.Invitation, p db.Property, in linkInput) (db.GuestLink, string, error) {
	token, hash, err := newGuestToken()
	if err != nil {
		return db.GuestLink{}, "", fmt.Errorf("%w: token: %w", errLinkStore, err)
	}
	lc, err := a.createTourCode(r.Context(), p, in)
	if err != nil {
		return db.GuestLink{}, "", err
	}
	me := currentUser(r.Context()).user.ID
	link, err := a.Store.CreateGuestLink(r.Context(), db.GuestLink{TokenHash: hash, InvitationID: inv.ID,
		PropertyID: p.ID, GuestName: in.guestName, StartsAt: in.starts, EndsAt: in.ends, Instructions: in.instructions,
		AllowUnlock: in.allowUnlock, LockCodeID: lc.ID, CreatedBy: &me, CreatedAt: a.now()})
	if err != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		if derr := a.Upstream.DeleteTourCode(ctx, lc.ID); derr != nil {
			a.Logger.LogAttrs(ctx, slog.LevelError, "orphan tour code left on the locks", slog.String("lock_code_id", lc.ID),
				slog.Any("err", derr))
		}
		return db.GuestLink{}, "", fmt.Errorf("%w: %w", errLinkStore, err)
	}
	return link, token, nil
}

// showNewLink answers the create with the invitation page showing the new link, the only time its token appears.
func (a *access) showNewLink(w http.ResponseWriter, r *http.Request, inv db.Invitation, p db.Property, l db.GuestLink, token string) error {
	loc := tz.Load(p.TimeZone)
	detail := "window " + spanText(l.StartsAt, l.EndsAt, loc)
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
		Window: spanText(l.StartsAt, l.EndsAt, loc)}
	d, err := a.invitationPage(r, inv, p, invitationPageParts{newLink: nl})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return render(w, r, http.StatusOK, views.InvitationPage(a.meta(r, inv.Email, views.NavInvitations), d))
}

// handleGuestLinkRevoke removes the link's code from the locks upstream, then revokes the link; audited.
func handleGuestLinkRevoke(a *access) http.Handler {
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
			if l.LockCodeID != "" {
				if err := a.Upstream.DeleteTourCode(r.Context(), l.LockCodeID); err != nil {
					_, msg := a.failForm(r, err, rec)
					return &httpError{http.StatusBadGateway, "The link was not revoked: " + msg, err}
				}
				a.codes.forget(l.LockCodeID)
			}
			me := currentUser(r.Context()).user.ID
			if err := a.Store.RevokeGuestLink(r.Context(), l.ID, &me, a.now()); err != nil {
				return err
			}
			rec.outcome = db.OutcomeOK
			audit(r, a.Store, a.Logger, rec)
		}
		redirect(w, r, invitationURL(l.InvitationID)+"?flash=link-revoked")
		return nil
	})
}
