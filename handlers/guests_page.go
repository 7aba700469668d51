package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// guestState is where a link stands: it cannot be used (invalid, expired), or its window is ahead or open.
type guestState int

const (
	guestInvalid guestState = iota // unknown, revoked, or its invitation was removed: one answer for all
	guestExpired
	guestBefore
	guestOpen
)

// guestLink is a resolved link with what its page shows.
type guestLink struct {
	link  db.GuestLink
	prop  db.Property
	state guestState
}

// resolveGuestLink finds the link of a token hash and where it stands at now. Store failures are errors; an unknown
// token is guestInvalid.
func (a *access) resolveGuestLink(ctx context.Context, hash string, now time.Time) (guestLink, error) {
	l, err := a.Store.GuestLinkByTokenHash(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return guestLink{state: guestInvalid}, nil
	}
	if err != nil {
		return guestLink{}, err
	}
	g := guestLink{link: l, state: guestInvalid}
	inv, err := a.Store.Invitation(ctx, l.InvitationID)
	if err != nil {
		return guestLink{}, err
	}
	if g.prop, err = a.Store.Property(ctx, l.PropertyID); err != nil {
		return guestLink{}, err
	}
	switch {
	case l.RevokedAt != nil || inv.Status != db.InvitationActive:
	case !now.Before(l.EndsAt):
		g.state = guestExpired
	case now.Before(l.StartsAt):
		g.state = guestBefore
	default:
		g.state = guestOpen
	}
	return g, nil
}

// guestClosed answers for a link that cannot be used, saying so plainly and nothing else: unknown and revoked read
// the same, so the page tells an attacker nothing.
func guestClosed(w http.ResponseWriter, r *http.Request, state guestState) error {
	d := views.GuestClosedData{Title: "This link is not valid", Status: http.StatusNotFound,
		Message: "This link does not work. If you were expecting a self-tour, ask the person who sent you the link for a new one."}
	if state == guestExpired {
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
func (a *access) guestLimited(w http.ResponseWriter, r *http.Request, action string, wait time.Duration) error {
	now := a.now()
	if a.limit.shouldReport(action+"|"+clientIP(r), now) {
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
func (a *access) guestAuditDenied(r *http.Request, action string, g guestLink) {
	rec := auditRecord{action: action, targetType: "guest_link", outcome: db.OutcomeDenied}
	switch {
	case g.link.ID == 0:
		rec.detail = "unknown link (guest)"
	case g.state == guestExpired:
		rec.detail = "expired link (guest)"
	default:
		rec.detail = "revoked link (guest)"
	}
	if g.link.ID != 0 {
		rec.targetID, rec.propertyID = strconv.FormatInt(g.link.ID, 10), &g.link.PropertyID
	}
	audit(r, a.Store, a.Logger, rec)
}

// handleGuestPage is GET /i/{token}: the tour page. It changes nothing but the link's use count and the audit log;
// the code is read from the upstream only while the window is open, and never stored.
func handleGuestPage(a *access) http.Handler {
	return guestErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		guestHeaders(w)
		hash, now := hashToken(r.PathValue("token")), a.now()
		if ok, wait := guestTake(now, guestLimitKey{a.limit.opens, hash}, guestLimitKey{a.limit.opensByAddr, clientIP(r)}); !ok {
			return a.guestLimited(w, r, "guest_link.open", wait)
		}
		g, err := a.resolveGuestLink(r.Context(), hash, now)
		if err != nil {
			return err
		}
		if g.state == guestInvalid || g.state == guestExpired {
			a.guestAuditDenied(r, "guest_link.open", g)
			return guestClosed(w, r, g.state)
		}
		if err := a.Store.RecordGuestLinkUse(r.Context(), g.link.ID, false, now); err != nil {
			return err
		}
		audit(r, a.Store, a.Logger, auditRecord{action: "guest_link.open", targetType: "guest_link",
			targetID: strconv.FormatInt(g.link.ID, 10), propertyID: &g.link.PropertyID, outcome: db.OutcomeOK,
			detail: "opened by the guest"})
		d := a.guestPage(r, r.PathValue("token"), g)
		if m, ok := unlockMessages[r.URL.Query().Get("unlock")]; ok && g.state == guestOpen {
			d.Message, d.MessageKind = m.Message, m.Kind
		}
		return render(w, r, http.StatusOK, views.GuestPage(d))
	})
}

// unlockMessages are the outcomes of an unlock the page shows after the redirect, by code.
var unlockMessages = map[string]views.FlashData{
	"sent":   {Kind: "ok", Message: "The unlock was sent to the door: it opens within a few seconds. Lock it again when you leave."},
	"failed": {Kind: "error", Message: "The door could not be unlocked just now. Use your code, or try again in a minute."},
	"none":   {Kind: "error", Message: "This property has no lock that can be opened from here. Use your code."},
}

func (a *access) guestPage(r *http.Request, token string, g guestLink) views.GuestPageData {
	loc := tz.Load(g.prop.TimeZone)
	d := views.GuestPageData{Property: g.prop.Name, Address: g.prop.Address, TimeZone: g.prop.TimeZone,
		GuestName: g.link.GuestName, Window: spanText(g.link.StartsAt, g.link.EndsAt, loc),
		Instructions: g.link.Instructions, State: "before"}
	d.Starts, d.StartsISO = localTimes(&g.link.StartsAt, loc)
	if g.state != guestOpen {
		return d
	}
	d.State = "open"
	d.CanUnlock = g.link.AllowUnlock
	d.UnlockURL = "/i/" + token + "/unlock"
	lc, err := a.Upstream.CodeState(r.Context(), g.link.LockCodeID)
	if err != nil || g.link.LockCodeID == "" {
		d.CodeError = "Your code cannot be shown right now. Reload this page in a minute."
		return d
	}
	d.Code = lc.Code.Reveal()
	return d
}

// handleGuestUnlock is POST /i/{token}/unlock: inside the window, and only if staff allowed it, it sends the unlock
// command to the property's locks. Rate-limited and audited with the link's id.
func handleGuestUnlock(a *access) http.Handler {
	return guestErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		guestHeaders(w)
		token := r.PathValue("token")
		hash, now := hashToken(token), a.now()
		if ok, wait := guestTake(now, guestLimitKey{a.limit.unlocks, hash}, guestLimitKey{a.limit.unlocksByAddr, clientIP(r)}); !ok {
			return a.guestLimited(w, r, "guest_link.unlock", wait)
		}
		g, err := a.resolveGuestLink(r.Context(), hash, now)
		if err != nil {
			return err
		}
		if g.state == guestInvalid || g.state == guestExpired {
			a.guestAuditDenied(r, "guest_link.unlock", g)
			return guestClosed(w, r, g.state)
		}
		rec := auditRecord{action: "guest_link.unlock", targetType: "guest_link", targetID: strconv.FormatInt(g.link.ID, 10),
			propertyID: &g.link.PropertyID, outcome: db.OutcomeDenied}
		if g.state != guestOpen || !g.link.AllowUnlock {
			rec.detail = "outside the window (guest)"
			msg := "The door can be unlocked from this page only during your window."
			if !g.link.AllowUnlock {
				rec.detail, msg = "unlocking not allowed for this link (guest)", "Unlocking from this page is not enabled for your visit. Use your code."
			}
			audit(r, a.Store, a.Logger, rec)
			d := a.guestPage(r, token, g)
			d.Message, d.MessageKind = msg, "error"
			return render(w, r, http.StatusForbidden, views.GuestPage(d))
		}
		outcome := a.unlockProperty(r, g)
		rec.outcome, rec.detail = db.OutcomeOK, "unlock sent (guest)"
		if outcome != "sent" {
			rec.outcome, rec.detail = db.OutcomeFailed, "unlock "+outcome+" (guest)"
		}
		if err := a.Store.RecordGuestLinkUse(r.Context(), g.link.ID, true, now); err != nil {
			return err
		}
		audit(r, a.Store, a.Logger, rec)
		http.Redirect(w, r, "/i/"+token+"?unlock="+outcome, http.StatusSeeOther)
		return nil
	})
}

// unlockProperty sends the unlock command to every lock of the link's property: "sent" when every lock took it,
// "failed" when one did not, "none" when there is no lock.
func (a *access) unlockProperty(r *http.Request, g guestLink) string {
	devs, err := a.Store.DevicesByProperty(r.Context(), g.prop.ID)
	if err != nil {
		a.Logger.Error("guest unlock: list locks", slog.Int64("link_id", g.link.ID), slog.Any("err", err))
		return "failed"
	}
	sent, failed := 0, 0
	for _, d := range devs {
		if d.Type != "lock" {
			continue
		}
		if err := a.Upstream.GuestUnlock(r.Context(), d.ID); err != nil {
			a.Logger.Warn("guest unlock: command refused", slog.Int64("link_id", g.link.ID), slog.String("device_id", d.ID),
				slog.Any("err", err))
			failed++
			continue
		}
		sent++
	}
	switch {
	case failed > 0:
		return "failed"
	case sent == 0:
		return "none"
	}
	return "sent"
}
