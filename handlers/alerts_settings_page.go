package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/views"
)

// renderAlertSettings renders the thresholds page. failed, when set, is the form that was refused: it is shown as
// typed, with its errors, in the place of the stored values.
func renderAlertSettings(w http.ResponseWriter, r *http.Request, d Deps, status int, failed *views.ThresholdFormData) error {
	ctx := r.Context()
	settings, err := d.Alerts.Settings(ctx)
	if err != nil {
		return err
	}
	global := limitsValues(settings.For(nil))
	data := views.AlertSettingsData{Defaults: limitsValues(alerts.Defaults),
		Global: thresholdForm("", settings.Global, limitsValues(alerts.Defaults)),
		Add:    views.ThresholdFormData{Inherited: global},
		Ranges: [4]views.ThresholdRange{rangeOf(alerts.LowBatteryRange), rangeOf(alerts.OfflineGraceRange),
			rangeOf(alerts.TempHighRange), rangeOf(alerts.TempLowRange)}}
	for pid, t := range settings.Overrides {
		f := thresholdForm(strconv.FormatInt(pid, 10), t, global)
		p, err := d.Store.Property(ctx, pid)
		switch {
		case err == nil:
			f.PropertyName = p.Name
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		data.Overrides = append(data.Overrides, f)
	}
	sortForms(data.Overrides)
	if failed != nil {
		placeFailed(&data, *failed, global)
	}
	props, tooMany, err := d.Store.ActivityPropertyChoices(ctx, maxPropertyOptions)
	if err != nil {
		return err
	}
	if !tooMany {
		for _, p := range props {
			if _, ok := settings.Overrides[p.ID]; !ok {
				data.Properties = append(data.Properties, views.ActivityOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
			}
		}
	}
	return render(w, r, status, views.AlertSettingsPage(pageMeta(r, "Alert thresholds", views.NavAlerts), data))
}

func thresholdForm(propertyID string, t alerts.Thresholds, inherited views.ThresholdValues) views.ThresholdFormData {
	show := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	return views.ThresholdFormData{PropertyID: propertyID, LowBattery: show(t.LowBatteryPercent),
		OfflineGrace: show(t.OfflineGraceMin), TempHigh: show(t.TempHighF), TempLow: show(t.TempLowF), Inherited: inherited}
}

func limitsValues(l alerts.Limits) views.ThresholdValues {
	return views.ThresholdValues{LowBattery: l.LowBatteryPercent, OfflineGrace: int(l.OfflineGrace.Minutes()),
		TempHigh: l.TempHighF, TempLow: l.TempLowF}
}

func rangeOf(r alerts.Range) views.ThresholdRange {
	return views.ThresholdRange{Min: r.Min, Max: r.Max}
}

// placeFailed puts the refused form where it was typed: the global form, an override, or the "add" form (also for
// an override of a property that had none).
func placeFailed(data *views.AlertSettingsData, f views.ThresholdFormData, global views.ThresholdValues) {
	if f.PropertyID == "" && !f.Adding {
		f.Inherited, data.Global = data.Global.Inherited, f
		return
	}
	if !f.Adding {
		for i, o := range data.Overrides {
			if o.PropertyID == f.PropertyID {
				f.Inherited, f.PropertyName = o.Inherited, o.PropertyName
				data.Overrides[i] = f
				return
			}
		}
	}
	f.Inherited, data.Add = global, f
}

// sortForms orders overrides by property name, then id, so the page does not reshuffle between loads.
func sortForms(fs []views.ThresholdFormData) {
	slices.SortFunc(fs, func(a, b views.ThresholdFormData) int {
		return cmp.Or(strings.Compare(a.PropertyName, b.PropertyName), strings.Compare(a.PropertyID, b.PropertyID))
	})
}
