package views

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// hostile is what an upstream name, a webhook or a user could put in any text field.
const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&</b>`

// fill sets every string reachable from v to s, every int to n and every bool to b, and gives every empty
// slice and nil pointer one filled element, so a page renders every text field it has.
func fill(v reflect.Value, s string, n int, b bool) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		v.SetInt(int64(n))
	case reflect.Bool:
		v.SetBool(b)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s, n, b)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, n, b)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := range v.Len() {
			fill(v.Index(i), s, n, b)
		}
	}
}

// filled returns a T with every field filled.
func filled[T any](b bool) T {
	var v T
	fill(reflect.ValueOf(&v).Elem(), hostile, 3, b)
	return v
}

// stateOnly keeps one typed part of a filled state (each renders only when the ones before it are nil).
func stateOnly(s DeviceStateData, keep string) DeviceStateData {
	if keep != "lock" {
		s.Lock = nil
	}
	if keep != "thermostat" {
		s.Thermostat = nil
	}
	if keep != "switch" {
		s.Switch = nil
	}
	if keep != "dimmer" {
		s.Dimmer = nil
	}
	if keep != "sensor" {
		s.Sensor = nil
	}
	return s
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	type page struct {
		name   string
		c      templ.Component
		noText bool // renders no free text (only numbers and URLs)
	}
	var pages []page
	for _, b := range []bool{true, false} {
		meta := filled[PageMeta](b)
		suffix := map[bool]string{true: " (flags on)", false: " (flags off)"}[b]
		add := func(name string, c templ.Component) { pages = append(pages, page{name + suffix, c, false}) }
		add("Layout", Layout(meta, Flash(hostile, hostile)))
		add("ErrorPage", ErrorPage(meta, 502, hostile))
		add("Flash", Flash(hostile, hostile))
		add("LoginPage", LoginPage(filled[LoginData](b)))
		add("AccountPage", AccountPage(meta, filled[AccountData](b)))
		add("UsersPage", UsersPage(meta, filled[UsersData](b)))
		add("HomePage", HomePage(meta, filled[HomeData](b)))
		add("SyncStatus", SyncStatus(filled[SyncData](b)))
		add("PropertiesPage", PropertiesPage(meta, filled[PropertyListData](b)))
		add("PropertyResults", PropertyResults(filled[PropertyListData](b)))
		add("PropertyPage", PropertyPage(meta, filled[PropertyDetailData](b)))
		add("HubsPage", HubsPage(meta, filled[HubListData](b)))
		add("HubResults", HubResults(filled[HubListData](b)))
		add("HubPage", HubPage(meta, filled[HubDetailData](b)))
		add("DeviceListPage", DeviceListPage(meta, filled[DeviceListData](b)))
		add("DeviceResults", DeviceResults(filled[DeviceListData](b)))
		add("ActivityDetailPage", ActivityDetailPage(meta, filled[ActivityDetailData](b)))
		add("AlertsPage", AlertsPage(meta, filled[AlertsPageData](b)))
		add("AlertsSection", AlertsSection(filled[AlertsSectionData](b)))
		add("AlertRow", AlertRow(filled[AlertRowData](b)))
		add("AlertSettingsPage", AlertSettingsPage(meta, filled[AlertSettingsData](b)))
		pages = append(pages, page{"Pagination" + suffix, Pagination(filled[PageLinks](b)), true})
		for _, kind := range []string{"lock", "thermostat", "switch", "dimmer", "sensor", "raw"} {
			d := filled[DeviceDetailData](b)
			d.State = stateOnly(d.State, kind)
			add("DevicePage "+kind, DevicePage(meta, d))
			add("DeviceState "+kind, DeviceState(d.State))
		}
	}
	safeID := regexp.MustCompile(`^[a-z0-9-]+$`)
	urlAttrs := []string{"href", "src", "action", "hx-get", "hx-post", "sse-connect", "hx-target", "hx-select"}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, p.c)
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
					t.Errorf("script not from us: src=%q text=%q", src, s.Text())
				}
			})
			if n := doc.Find("img, b").Length(); n != 0 {
				t.Errorf("%d elements injected from data", n)
			}
			doc.Find("*").Each(func(_ int, s *goquery.Selection) {
				for _, a := range s.Nodes[0].Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, goquery.NodeName(s))
					}
				}
				if id, ok := s.Attr("id"); ok && !safeID.MatchString(id) {
					t.Errorf("unsafe id %q on <%s>", id, goquery.NodeName(s))
				}
				for _, name := range urlAttrs {
					v := strings.ToLower(strings.TrimSpace(s.AttrOr(name, "")))
					if strings.Contains(v, "javascript:") || strings.HasPrefix(v, "//") || strings.Contains(v, "<") {
						t.Errorf("%s=%q on <%s>", name, v, goquery.NodeName(s))
					}
				}
			})
			if !p.noText && !strings.Contains(doc.Text(), "<script>alert(1)</script>") {
				t.Error("the hostile text is not shown as text anywhere")
			}
		})
	}
}
