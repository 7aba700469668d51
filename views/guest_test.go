package views

import (
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// TestAccessEscaping renders every access page and fragment with hostile text in every field: nothing becomes
// markup, ids stay safe, and URLs cannot leave the site.
func TestAccessEscaping(t *testing.T) {
	t.Parallel()
	type page struct {
		name   string
		c      templ.Component
		noText bool // shows no free text
	}
	var pages []page
	for _, b := range []bool{true, false} {
		meta := filled[PageMeta](b)
		suffix := map[bool]string{true: " (flags on)", false: " (flags off)"}[b]
		add := func(name string, c templ.Component) { pages = append(pages, page{name + suffix, c, false}) }
		add("AccessSection", AccessSection(filled[AccessSectionData](b)))
		add("ReservationFormPage", ReservationFormPage(meta, filled[ReservationFormData](b)))
		add("ReservationPage", ReservationPage(meta, filled[ReservationPageData](b)))
		add("CodeStatus", CodeStatus(filled[CodeStatusData](b)))
		add("InvitationsPage", InvitationsPage(meta, filled[InvitationListData](b)))
		add("InvitationFormPage", InvitationFormPage(meta, filled[InvitationFormData](b)))
		add("InvitationPage", InvitationPage(meta, filled[InvitationPageData](b)))
		add("MoveOutConfirmPage", MoveOutConfirmPage(meta, filled[MoveOutConfirmData](b)))
		add("MoveOutPage", MoveOutPage(meta, filled[MoveOutPageData](b)))
		add("GuestClosedPage", GuestClosedPage(filled[GuestClosedData](b)))
		for _, state := range []string{"before", "open"} {
			d := filled[GuestPageData](b)
			d.State = state
			add("GuestPage "+state, GuestPage(d))
		}
		code := filled[CodeData](b)
		code.PIN, code.Note = "", ""
		pages = append(pages, page{"Code masked" + suffix, Code(code), true})
	}
	safeID := regexp.MustCompile(`^[a-z0-9-]+$`)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, p.c)
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
					t.Errorf("script not from us: src=%q", src)
				}
			})
			if n := doc.Find("img, b").Length(); n != 0 {
				t.Errorf("%d elements injected from data", n)
			}
			doc.Find("*").Each(func(_ int, s *goquery.Selection) {
				for _, a := range s.Nodes[0].Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("event handler attribute %s on <%s>", a.Key, goquery.NodeName(s))
					}
				}
				if id, ok := s.Attr("id"); ok && !safeID.MatchString(id) {
					t.Errorf("unsafe id %q on <%s>", id, goquery.NodeName(s))
				}
				for _, name := range []string{"href", "action", "hx-get", "hx-post", "hx-target"} {
					v := strings.ToLower(s.AttrOr(name, ""))
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

// TestGuestPageShowsCodeOnlyWhenOpen: the template itself never shows a code outside the open state, and the
// guest page carries no staff navigation.
func TestGuestPageShowsCodeOnlyWhenOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state    string
		wantCode bool
	}{
		{"before", false},
		{"open", true},
		{"", false},
	}
	for _, tt := range tests {
		t.Run("state "+tt.state, func(t *testing.T) {
			t.Parallel()
			doc := render(t, GuestPage(GuestPageData{Property: "Maple", State: tt.state, Code: "482913", CanUnlock: true,
				UnlockURL: "/i/tok/unlock", Window: "Mar 1"}))
			if got := byTestID(doc, "guest-code").Length() == 1; got != tt.wantCode {
				t.Errorf("code shown = %v", got)
			}
			if got := byTestID(doc, "guest-unlock").Length() == 1; got != tt.wantCode {
				t.Errorf("unlock shown = %v", got)
			}
			if doc.Find("nav").Length() != 0 {
				t.Error("the guest page has navigation")
			}
		})
	}
}

// TestCodeStatusPolls: the code-state fragment polls only while a change is in flight, and only a local URL.
func TestCodeStatusPolls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, poll string
		want       bool
	}{
		{"in flight", "/reservations/7/code", true},
		{"settled", "", false},
		{"foreign URL", "https://evil.example/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			el := one(t, render(t, CodeStatus(CodeStatusData{DOMID: "Code 7", PollURL: tt.poll, Summary: "x"})), "code-status")
			if got := el.AttrOr("hx-trigger", "") == "every 3s"; got != tt.want {
				t.Errorf("polls = %v", got)
			}
			if id := el.AttrOr("id", ""); id != "code-7" {
				t.Errorf("id %q", id)
			}
		})
	}
}
