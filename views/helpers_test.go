package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// render renders c into a buffer and parses it. Fragments parse too: goquery wraps them in <html><body>, so
// tests select by data-testid, never by <html>.
func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(t.Context(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// renderRow renders a <tr> fragment inside a table, as htmx does before swapping it: on its own the HTML parser
// would drop the row.
func renderRow(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("<table><tbody>")
	if err := c.Render(t.Context(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	buf.WriteString("</tbody></table>")
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// byTestID selects every element with data-testid=id.
func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// one selects exactly one element with data-testid=id or fails.
func one(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	s := byTestID(doc, id)
	if s.Length() != 1 {
		t.Fatalf("[data-testid=%q]: %d elements, want 1", id, s.Length())
	}
	return s
}

// text is the selection's text with whitespace collapsed.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// attr returns an attribute or fails when it is missing.
func attr(t *testing.T, s *goquery.Selection, name string) string {
	t.Helper()
	v, ok := s.Attr(name)
	if !ok {
		t.Fatalf("missing attribute %s on <%s>", name, goquery.NodeName(s))
	}
	return v
}

// signedIn is page meta for a user with the given powers.
func signedIn(nav string, admin bool) PageMeta {
	return PageMeta{
		Title: "Test",
		Nav:   nav,
		User:  &UserData{Name: "Dana Reyes", Email: "dana@example.com", Role: "Leasing staff", CanAdmin: admin, CanOperate: true},
	}
}

func assertText(t *testing.T, doc *goquery.Document, id, want string) {
	t.Helper()
	if got := text(one(t, doc, id)); got != want {
		t.Errorf("[data-testid=%q] text = %q, want %q", id, got, want)
	}
}
