package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// bulkPerson reads the person whose codes to revoke: the name the codes carry (any text a code name may hold; codes
// made upstream may carry < or >, which the pages escape).
func bulkPerson(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", badRequest("Enter the name the person's codes carry.", nil)
	case !utf8.ValidString(v), strings.IndexFunc(v, unicode.IsControl) >= 0:
		return "", badRequest("The name contains characters that are not text.", nil)
	case utf8.RuneCountInString(v) > smarthome.MaxCodeNameLength:
		return "", badRequest(fmt.Sprintf("A code's name has at most %d characters.", smarthome.MaxCodeNameLength), nil)
	}
	return v, nil
}

func (b *bulkRoutes) revokeView(r *http.Request, person string, codes []db.LockCode) views.BulkRevokeData {
	d := views.BulkRevokeData{Token: bulkToken(), Person: person}
	names := &propertyNames{ctx: r.Context(), store: b.d.Store, names: map[int64]string{}}
	for _, c := range codes {
		d.Codes = append(d.Codes, views.BulkCodeRow{Name: c.Name, Property: names.name(c.PropertyID), Locks: plural(len(c.Devices), "lock")})
	}
	if len(codes) > bulk.MaxItems {
		d.Problem = fmt.Sprintf("%d codes carry this name: one bulk action takes at most %d. Nothing can be sent from here.", len(codes), bulk.MaxItems)
	}
	return d
}

// handleBulkRevokeConfirm is GET /bulk/revoke?person=…: every live code with that name, and the confirm button.
func handleBulkRevokeConfirm(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		person, err := bulkPerson(r.URL.Query().Get("person"))
		if err != nil {
			return err
		}
		codes, err := b.svc.PersonCodes(r.Context(), person)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.BulkRevokePage(pageMeta(r, "Revoke everywhere", views.NavBulk), b.revokeView(r, person, codes)))
	})
}

// handleBulkRevoke is POST /bulk/revoke: the person's codes, as found again now, removed from every lock through
// the single delete's path, in the background.
func handleBulkRevoke(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		token, err := bulkFormToken(r)
		if err != nil {
			return err
		}
		person, err := bulkPerson(r.PostForm.Get("person"))
		if err != nil {
			return err
		}
		codes, err := b.svc.PersonCodes(r.Context(), person)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "bulk.lock_code.revoke", targetType: "bulk"}
		act, created, err := b.svc.StartRevoke(r.Context(), bulk.RevokeAction{Token: token, Person: person,
			By: currentUser(r.Context()).user.ID, Codes: codes})
		if status, msg := bulkStartError(err, len(codes), "codes"); status != 0 {
			rec.outcome, rec.detail = db.OutcomeDenied, fmt.Sprintf("“%s”: %s", person, msg)
			audit(r, b.d.Store, b.d.Logger, rec)
			d := b.revokeView(r, person, codes)
			d.Problem = msg
			return render(w, r, status, views.BulkRevokePage(pageMeta(r, "Revoke everywhere", views.NavBulk), d))
		}
		if err != nil {
			return err
		}
		if created {
			rec.outcome, rec.targetID = db.OutcomeOK, strconv.FormatInt(act.ID, 10)
			rec.detail = fmt.Sprintf("%s named “%s”: %s", plural(len(codes), "code"), person, bulkURL(act.ID))
			audit(r, b.d.Store, b.d.Logger, rec)
		}
		redirect(w, r, bulkURL(act.ID))
		return nil
	})
}

// handleRevokeEverywhere is GET /lock-codes/{id}/revoke-everywhere: from one code to every code of its person.
func handleRevokeEverywhere(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, err := b.d.Store.LockCode(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		redirect(w, r, "/bulk/revoke?person="+url.QueryEscape(c.Name))
		return nil
	})
}
