package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// guestClosed answers for a link that cannot be used, saying so plainly and nothing else: unknown and revoked read
// the same, so the page tells an attacker nothing.
func guestClosed(w http.ResponseWriter, r *http.Request, state stays.GuestState) error {
	d := views.GuestClosedData{Title: "This link is not valid", Status: http.StatusNotFound,
		Message: "This link does not work. If you were expecting a self-tour, ask the person who sent you the link for a new one."}
	if state == stays.GuestExpired {
		d = views.GuestClosedData{Title: "This link has expired", Status: http.StatusGone,
			Message: "The time window of this link is over. Ask the person who sent it if you need another visit."}
	}
	return render(w, r, d.Status, views.GuestClosedPage(d))
}

// guestErrors is withErrors for the guest routes: the error log and page never see the token in the path.
func guestErrors(logger *slog.Logger, h appHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			masked := r.Clone(r.Context())
			masked.URL.Path, masked.URL.RawPath, masked.URL.RawQuery = "/i/…", "", ""
			serveError(w, masked, logger, err)
		}
	})
}

// guestHeaders keep guest pages out of every cache and index; the middleware already sets Referrer-Policy
// no-referrer for /i/ (the path is a bearer secret).
func guestHeaders(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}

// guestLimited answers a rate-limited guest request (429 with Retry-After), auditing the first hit in a while.
func (a *stayPages) guestLimited(w http.ResponseWriter, r *http.Request, action string, wait time.Duration) error {
	now := a.Stays.Now()
	if a.Stays.Limits().ShouldReport(r.Context(), action+"|"+clientIP(r), now) {
		audit(r, a.Store, a.Logger, auditRecord{action: action, targetType: "guest_link", outcome: db.OutcomeDenied,
			detail: "rate limited (guest)"})
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return render(w, r, http.StatusTooManyRequests, views.GuestClosedPage(views.GuestClosedData{
		Title: "Too many attempts", Status: http.StatusTooManyRequests,
		Message: fmt.Sprintf("This link was used too often in a short time. Try again in %s.", guestWaitText(secs))}))
}

func guestWaitText(secs int) string {
	if secs < 90 {
		return plural(secs, "second")
	}
	return plural((secs+59)/60, "minute")
}

// guestAuditDenied records a use of a link that is not valid (the link's id when there is one, never the token).
func (a *stayPages) guestAuditDenied(r *http.Request, action string, g stays.Visit) {
	rec := auditRecord{action: action, targetType: "guest_link", outcome: db.OutcomeDenied}
	switch {
	case g.Link.ID == 0:
		rec.detail = "unknown link (guest)"
	case g.State == stays.GuestExpired:
		rec.detail = "expired link (guest)"
	default:
		rec.detail = "revoked link (guest)"
	}
	if g.Link.ID != 0 {
		rec.targetID, rec.propertyID = strconv.FormatInt(g.Link.ID, 10), &g.Link.PropertyID
	}
	audit(r, a.Store, a.Logger, rec)
}

// handleGuestPage is GET /i/{token}: the tour page. It changes nothing but the link's use count and the audit log;
// the code is read from the upstream only while the window is open, and never stored.
func handleGuestPage(a *stayPages) http.Handler {
	return guestErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		guestHeaders(w)
		hash, now := auth.HashToken(r.PathValue("token")), a.Stays.Now()
		if ok, wait, err := a.Stays.Limits().Open(r.Context(), hash, clientIP(r), now); err != nil {
			return err
		} else if !ok {
			return a.guestLimited(w, r, "guest_link.open", wait)
		}
		g, err := a.Stays.ResolveGuestLink(r.Context(), hash, now)
		if err != nil {
			return err
		}
		if !g.Usable() {
			a.guestAuditDenied(r, "guest_link.open", g)
			return guestClosed(w, r, g.State)
		}
		if err := a.Store.RecordGuestLinkUse(r.Context(), g.Link.ID, false, now); err != nil {
			return err
		}
		audit(r, a.Store, a.Logger, auditRecord{action: "guest_link.open", targetType: "guest_link",
			targetID: strconv.FormatInt(g.Link.ID, 10), propertyID: &g.Link.PropertyID, outcome: db.OutcomeOK,
			detail: "opened by the guest"})
		d := a.guestPage(r, r.PathValue("token"), g)
		if m, ok := unlockMessages[stays.UnlockOutcome(r.URL.Query().Get("unlock"))]; ok && g.State == stays.GuestOpen {
			d.Message, d.MessageKind = m.Message, m.Kind
		}
		return render(w, r, http.StatusOK, views.GuestPage(d))
	})
}

// unlockMessages are the outcomes of an unlock the page shows after the redirect, by code.
var unlockMessages = map[stays.UnlockOutcome]views.FlashData{
	stays.UnlockSent:   {Kind: "ok", Message: "The unlock was sent to the door: it opens within a few seconds. Lock it again when you leave."},
	stays.UnlockFailed: {Kind: "error", Message: "The door could not be unlocked just now. Use your code, or try again in a minute."},
	stays.UnlockNone:   {Kind: "error", Message: "This property has no lock that can be opened from here. Use your code."},
}

func (a *stayPages) guestPage(r *http.Request, token string, g stays.Visit) views.GuestPageData {
	loc := tz.Load(g.Property.TimeZone)
	d := views.GuestPageData{Property: g.Property.Name, Address: g.Property.Address, TimeZone: g.Property.TimeZone,
		GuestName: g.Link.GuestName, Window: stays.SpanText(g.Link.StartsAt, g.Link.EndsAt, loc),
		Instructions: g.Link.Instructions, State: "before"}
	d.Starts, d.StartsISO = localTimes(&g.Link.StartsAt, loc)
	if g.State != stays.GuestOpen {
		return d
	}
	d.State = "open"
	d.CanUnlock = g.Link.AllowUnlock
	d.UnlockURL = "/i/" + token + "/unlock"
	code, err := a.Stays.GuestCode(r.Context(), g)
	if err != nil {
		d.CodeError = "Your code cannot be shown right now. Reload this page in a minute."
		return d
	}
	d.Code = code
	return d
}

// handleGuestUnlock is POST /i/{token}/unlock: inside the window, and only if staff allowed it, it sends the unlock
// command to the property's locks. Rate-limited and audited with the link's id.
func handleGuestUnlock(a *stayPages) http.Handler {
	return guestErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		guestHeaders(w)
		token := r.PathValue("token")
		hash, now := auth.HashToken(token), a.Stays.Now()
		if ok, wait, err := a.Stays.Limits().Unlock(r.Context(), hash, clientIP(r), now); err != nil {
			return err
		} else if !ok {
			return a.guestLimited(w, r, "guest_link.unlock", wait)
		}
		g, err := a.Stays.ResolveGuestLink(r.Context(), hash, now)
		if err != nil {
			return err
		}
		if !g.Usable() {
			a.guestAuditDenied(r, "guest_link.unlock", g)
			return guestClosed(w, r, g.State)
		}
		rec := auditRecord{action: "guest_link.unlock", targetType: "guest_link", targetID: strconv.FormatInt(g.Link.ID, 10),
			propertyID: &g.Link.PropertyID, outcome: db.OutcomeDenied}
		if g.State != stays.GuestOpen || !g.Link.AllowUnlock {
			rec.detail = "outside the window (guest)"
			msg := "The door can be unlocked from this page only during your window."
			if !g.Link.AllowUnlock {
				rec.detail, msg = "unlocking not allowed for this link (guest)", "Unlocking from this page is not enabled for your visit. Use your code."
			}
			audit(r, a.Store, a.Logger, rec)
			d := a.guestPage(r, token, g)
			d.Message, d.MessageKind = msg, "error"
			return render(w, r, http.StatusForbidden, views.GuestPage(d))
		}
		outcome := a.Stays.UnlockProperty(r.Context(), g)
		rec.outcome, rec.detail = db.OutcomeOK, "unlock sent (guest)"
		if outcome != stays.UnlockSent {
			rec.outcome, rec.detail = db.OutcomeFailed, "unlock "+string(outcome)+" (guest)"
		}
		if err := a.Store.RecordGuestLinkUse(r.Context(), g.Link.ID, true, now); err != nil {
			return err
		}
		audit(r, a.Store, a.Logger, rec)
		http.Redirect(w, r, "/i/"+token+"?unlock="+string(outcome), http.StatusSeeOther)
		return nil
	})
}
