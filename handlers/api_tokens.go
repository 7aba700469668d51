package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/views"
)

// handleAPITokens: GET /api-tokens, every token with its last use, and the create form. A token's secret never
// appears here: only the answer to the POST that created it shows it.
func handleAPITokens(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderAPITokens(w, r, d, http.StatusOK, views.APITokensData{FormRole: string(db.RoleAuditor)})
	})
}

func renderAPITokens(w http.ResponseWriter, r *http.Request, d Deps, status int, data views.APITokensData) error {
	tokens, err := d.Store.ListAPITokens(r.Context())
	if err != nil {
		return err
	}
	data.Roles = roleNames()
	for _, t := range tokens {
		data.Tokens = append(data.Tokens, apiTokenRow(t))
	}
	w.Header().Set("Cache-Control", "no-store") // the answer to a create holds a secret
	return render(w, r, status, views.APITokensPage(pageMeta(r, "API tokens", views.NavAPITokens), data))
}

func apiTokenRow(t db.APIToken) views.APITokenRowData {
	row := views.APITokenRowData{ID: strconv.FormatInt(t.ID, 10), Name: t.Name, Role: roleLabel(t.Role),
		CreatedBy: t.CreatorName, Prefix: apitoken.Prefix + t.Lookup + "_…",
		RevokeURL: "/api-tokens/" + strconv.FormatInt(t.ID, 10) + "/revoke"}
	if row.CreatedBy == "" {
		row.CreatedBy = "a removed user"
	}
	row.Created, row.CreatedISO = utcTimes(&t.CreatedAt)
	row.LastUsed, row.LastUsedISO = utcTimes(t.LastUsedAt)
	row.Revoked, row.RevokedISO = utcTimes(t.RevokedAt)
	return row
}

// utcTimes formats t for the tokens page, in UTC: tokens belong to no property, so to no zone.
func utcTimes(t *time.Time) (string, string) {
	if t == nil {
		return "", ""
	}
	u := t.UTC()
	return u.Format("Jan 2, 2006 15:04 UTC"), u.Format(time.RFC3339)
}

// handleAPITokenCreate: POST /api-tokens makes a token and shows it, once, in its answer (200, not a redirect:
// reloading the list afterwards shows only its prefix).
func handleAPITokenCreate(d Deps, tokens *apitoken.Service) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		name := strings.TrimSpace(r.PostForm.Get("name"))
		form := views.APITokensData{FormName: name, FormRole: r.PostForm.Get("role")}
		role, err := db.ParseRole(form.FormRole)
		if err != nil {
			form.Error = "Choose the role whose rights the token carries: " + strings.Join(roleNames(), ", ") + "."
			return renderAPITokens(w, r, d, http.StatusUnprocessableEntity, form)
		}
		if p := apitoken.NameProblem(name); p != "" {
			form.Error = p
			return renderAPITokens(w, r, d, http.StatusUnprocessableEntity, form)
		}
		token, t, err := tokens.Create(r.Context(), name, role, currentUser(r.Context()).user.ID)
		if err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "api_token.create", targetType: "api_token",
			targetID: strconv.FormatInt(t.ID, 10), outcome: db.OutcomeOK, detail: "name " + t.Name + ", role " + string(t.Role)})
		data := views.APITokensData{FormRole: string(db.RoleAuditor),
			Created: &views.APITokenCreatedData{Name: t.Name, Role: roleLabel(t.Role), Token: token}}
		return renderAPITokens(w, r, d, http.StatusOK, data)
	})
}

// handleAPITokenRevoke: POST /api-tokens/{id}/revoke ends the token at once and returns to the list.
func handleAPITokenRevoke(d Deps, tokens *apitoken.Service) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		t, err := d.Store.APITokenByID(r.Context(), id)
		if err != nil {
			return err
		}
		if err := tokens.Revoke(r.Context(), id); err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "api_token.revoke", targetType: "api_token",
			targetID: strconv.FormatInt(id, 10), outcome: db.OutcomeOK, detail: "name " + t.Name})
		redirect(w, r, "/api-tokens")
		return nil
	})
}
