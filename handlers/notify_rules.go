package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/views"
)

// handleNotifyRuleNew shows an empty rule form: every kind, every property, warnings and up, enabled.
func handleNotifyRuleNew(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderRuleForm(w, r, d, http.StatusOK, "", notify.RuleForm{MinSeverity: db.SeverityWarning, Enabled: true}, nil)
	})
}

// handleNotifyRuleEdit shows a stored rule in the form.
func handleNotifyRuleEdit(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		rule, err := ruleOf(r, d)
		if err != nil {
			return err
		}
		return renderRuleForm(w, r, d, http.StatusOK, strconv.FormatInt(rule.ID, 10), notify.FormOf(rule), nil)
	})
}

// handleNotifyRuleSave creates (POST /notifications/rules) or replaces (POST /notifications/rules/{id}) a rule. A
// form with problems comes back as typed, 422, with every problem listed; nothing is saved.
func handleNotifyRuleSave(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		var existing db.NotifyRule
		if r.PathValue("id") != "" {
			var err error
			if existing, err = ruleOf(r, d); err != nil {
				return err
			}
		}
		if err := parseSmallForm(w, r); err != nil {
			return err
		}
		f := ruleForm(r)
		id := ""
		if existing.ID != 0 {
			id = strconv.FormatInt(existing.ID, 10)
		}
		rule, problems, err := d.Notify.CheckRule(r.Context(), f)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return renderRuleForm(w, r, d, http.StatusUnprocessableEntity, id, f, problems)
		}
		action := "notify.rule.create"
		if existing.ID == 0 {
			rule.CreatedAt = nowUTC()
			rule, err = d.Store.CreateNotifyRule(r.Context(), rule)
		} else {
			action, rule.ID, rule.UpdatedAt = "notify.rule.update", existing.ID, nowUTC()
			err = d.Store.UpdateNotifyRule(r.Context(), rule)
		}
		if errors.Is(err, db.ErrConflict) {
			return renderRuleForm(w, r, d, http.StatusConflict, id, f, []string{"Name: another rule has that name; choose another."})
		}
		if errors.Is(err, db.ErrNotFound) && existing.ID == 0 {
			return renderRuleForm(w, r, d, http.StatusConflict, id, f, []string{"A webhook endpoint was deleted meanwhile; choose again."})
		}
		if err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: action, targetType: "notify_rule",
			targetID: strconv.FormatInt(rule.ID, 10), outcome: db.OutcomeOK, detail: ruleDetail(rule)})
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	})
}

// handleNotifyRuleDelete removes a rule; what it still had waiting is cancelled.
func handleNotifyRuleDelete(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		rule, err := ruleOf(r, d)
		if err != nil {
			return err
		}
		if err := d.Store.DeleteNotifyRule(r.Context(), rule.ID, nowUTC()); err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.rule.delete", targetType: "notify_rule",
			targetID: strconv.FormatInt(rule.ID, 10), outcome: db.OutcomeOK, detail: rule.Name})
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	})
}

func ruleOf(r *http.Request, d Deps) (db.NotifyRule, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return db.NotifyRule{}, notFound()
	}
	return d.Store.NotifyRuleByID(r.Context(), id)
}

// ruleForm reads the editor: steps are rows of three parallel fields.
func ruleForm(r *http.Request) notify.RuleForm {
	f := notify.RuleForm{Name: r.PostForm.Get("name"), Kinds: r.PostForm["kind"], PropertyIDs: r.PostForm["property"],
		MinSeverity: r.PostForm.Get("min_severity"), QuietStart: r.PostForm.Get("quiet_start"),
		QuietEnd: r.PostForm.Get("quiet_end"), NotifyResolved: r.PostForm.Get("notify_resolved") != "",
		Enabled: r.PostForm.Get("enabled") != ""}
	delays, emails, eps := r.PostForm["step_delay"], r.PostForm["step_emails"], r.PostForm["step_endpoint"]
	for i := range min(max(len(delays), len(emails), len(eps)), notify.MaxSteps+1) {
		f.Steps = append(f.Steps, notify.StepForm{Delay: at(delays, i), Emails: at(emails, i), EndpointID: at(eps, i)})
	}
	return f
}

func at(v []string, i int) string {
	if i < len(v) {
		return v[i]
	}
	return ""
}

func renderRuleForm(w http.ResponseWriter, r *http.Request, d Deps, status int, id string, f notify.RuleForm, problems []string) error {
	props, err := d.Store.PropertyChoices(r.Context())
	if err != nil {
		return err
	}
	eps, err := d.Store.ListNotifyEndpoints(r.Context())
	if err != nil {
		return err
	}
	data := views.NotifyRuleFormData{ID: id, Name: f.Name, Kinds: f.Kinds, PropertyIDs: f.PropertyIDs,
		MinSeverity: f.MinSeverity, QuietStart: f.QuietStart, QuietEnd: f.QuietEnd, NotifyResolved: f.NotifyResolved,
		Enable: f.Enabled, Errors: problems, MailEnabled: d.Notify.MailEnabled()}
	for _, k := range notify.Kinds {
		data.KindChoices = append(data.KindChoices, views.NotifyChoiceData{Value: k.Kind, Label: k.Label})
	}
	for _, p := range props {
		data.PropertyChoices = append(data.PropertyChoices, views.NotifyChoiceData{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
	}
	for _, e := range eps {
		label := e.Name
		if e.Disabled {
			label += " (disabled)"
		}
		data.EndpointChoices = append(data.EndpointChoices, views.NotifyChoiceData{Value: strconv.FormatInt(e.ID, 10), Label: label})
	}
	for _, st := range f.Steps {
		if !st.Empty() {
			data.Steps = append(data.Steps, views.NotifyStepFormData{Delay: st.Delay, Emails: st.Emails, EndpointID: st.EndpointID})
		}
	}
	for len(data.Steps) < notify.MaxSteps { // blank rows to add steps without script
		data.Steps = append(data.Steps, views.NotifyStepFormData{})
	}
	title := "New notification rule"
	if id != "" {
		title = "Edit rule"
	}
	return render(w, r, status, views.NotifyRulePage(pageMeta(r, title, views.NavNotifications), data))
}

func ruleRow(r db.NotifyRule) views.NotifyRuleRowData {
	row := views.NotifyRuleRowData{ID: strconv.FormatInt(r.ID, 10), Name: r.Name, Severity: r.MinSeverity + " and up",
		Enabled: r.Enabled, Resolved: r.NotifyResolved}
	if r.MinSeverity == db.SeverityCritical {
		row.Severity = "critical"
	}
	kinds := "every kind"
	if len(r.Kinds) > 0 {
		var labels []string
		for _, k := range r.Kinds {
			labels = append(labels, notify.KindLabel(k))
		}
		kinds = strings.Join(labels, ", ")
	}
	props := "every property"
	if len(r.PropertyIDs) > 0 {
		props = fmt.Sprintf("%d properties", len(r.PropertyIDs))
	}
	row.Scope = kinds + " · " + props
	if f := notify.FormOf(r); f.QuietStart != "" {
		row.Quiet = f.QuietStart + "–" + f.QuietEnd
	}
	var steps []string
	for i, st := range r.Steps {
		var to []string
		to = append(to, st.Emails...)
		if st.EndpointID != nil {
			to = append(to, "webhook #"+strconv.FormatInt(*st.EndpointID, 10))
		}
		when := fmt.Sprintf("after %d min", st.DelayMinutes)
		if i > 0 {
			when = fmt.Sprintf("then, unacknowledged %d min later", st.DelayMinutes)
		}
		steps = append(steps, when+": "+strings.Join(to, ", "))
	}
	row.Steps = strings.Join(steps, "; ")
	return row
}

func ruleDetail(r db.NotifyRule) string {
	return fmt.Sprintf("%s: %d steps, kinds %q, properties %d, min %s", r.Name, len(r.Steps), strings.Join(r.Kinds, ","),
		len(r.PropertyIDs), r.MinSeverity)
}
