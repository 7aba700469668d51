package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// xssPayloads are the hostile strings put in every text field: a script element, an attribute break-out with an
// event handler, and a javascript: URL. Each carries "xss" so its text can be found again on the page.
var xssPayloads = []string{
	`xss<script>alert(1)</script>`,
	`xss"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)//xss`,
	`xss'><svg onload=alert(1)>`,
}

// hostileFields are the simulator state's free-text fields, per collection, that the dashboard shows.
var hostileFields = map[string][]string{
	"properties":   {"name", "street_address", "city"},
	"hubs":         {"home_name", "street_address", "city"},
	"devices":      {"name", "occupant_setting", "manufacturer", "product_name"},
	"lock_codes":   {"name"},
	"reservations": {"guest_name", "guest_phone"},
	"invitations":  {"name"},
	"schedules":    {"name"},
}

// seedHostile programs keypad codes, then rewrites every shown text field of the simulator's state with a payload.
func seedHostile(t *testing.T, sim *simulator.Simulator, api *smarthome.Client) {
	t.Helper()
	addPINs(t, sim, api)
	raw, err := sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	n := 0
	for coll, fields := range hostileFields {
		var items map[string]map[string]any
		if err := json.Unmarshal(st[coll], &items); err != nil || items == nil {
			continue // an empty collection
		}
		for _, it := range items {
			for _, f := range fields {
				it[f] = xssPayloads[n%len(xssPayloads)]
				n++
			}
		}
		if st[coll], err = json.Marshal(items); err != nil {
			t.Fatal(err)
		}
	}
	out, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.ReplaceState(out); err != nil {
		t.Fatal(err)
	}
}

// wantInert fails if the page holds markup that came from data: a script that is not ours, an image, an event
// handler attribute or a javascript: URL. It returns how many payload texts the page shows (as text).
func wantInert(t *testing.T, where, body string) int {
	t.Helper()
	doc := parseHTML(t, body)
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("%s: a script from data: %s", where, outer(s))
		}
	})
	doc.Find("img, svg[onload], iframe, object, embed").Each(func(_ int, s *goquery.Selection) {
		t.Errorf("%s: an element from data: %s", where, outer(s))
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(k, "on") {
				t.Errorf("%s: event handler attribute %s=%q", where, a.Key, a.Val)
			}
			if urlAttr(k) && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:text/html")) {
				t.Errorf("%s: script URL in %s=%q", where, a.Key, a.Val)
			}
		}
	})
	return strings.Count(doc.Text(), "xss")
}

// urlAttr reports whether an attribute is followed as a URL (by the browser or by htmx).
func urlAttr(k string) bool {
	switch k {
	case "href", "src", "action", "formaction", "poster", "srcset", "xlink:href", "sse-connect":
		return true
	}
	return strings.HasPrefix(k, "hx-")
}

func outer(s *goquery.Selection) string {
	h, _ := goquery.OuterHtml(s)
	return h
}

// TestHostileUpstreamDataShownAsText: with every upstream text field (properties, hubs, devices, lock codes,
// reservations, invitations, schedules) holding markup, every page shows it as text and runs none of it.
func TestHostileUpstreamDataShownAsText(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(seedHostile))
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)
	pid := propertyWithLock(t, env)
	p := strconv.FormatInt(pid, 10)
	guestToken, resID, invID := seedHostileAccess(t, env, pid)

	pages := []string{"/", "/properties", "/properties?q=xss", "/properties/" + p, "/hubs", "/hubs?q=xss",
		"/properties/" + p + "/lock-codes", "/drift", "/drift?q=xss", "/properties/" + p + "/drift", "/activities",
		"/audit", "/invitations", "/invitations/" + invID, "/reservations/" + resID, "/sync", "/inbox",
		"/properties/" + p + "/edit", "/reservations/new?property_id=" + p, "/invitations/new"}
	hubs, err := env.store.HubsByProperty(ctx, pid)
	if err != nil || len(hubs) == 0 {
		t.Fatalf("hubs of %d: %v", pid, err)
	}
	for _, h := range hubs {
		pages = append(pages, "/hubs/"+h.ID, "/hubs/"+h.ID+"/edit", "/hubs/"+h.ID+"/history", "/hubs/"+h.ID+"/commands")
	}
	devs, err := env.store.DevicesByProperty(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		pages = append(pages, "/devices/"+d.ID, "/devices/"+d.ID+"/history")
		if lcIsLock(d.Type) {
			pages = append(pages, "/devices/"+d.ID+"/lock-codes")
		}
	}
	// A delivery without device_name about a device with a hostile name: its row and detail page show the mirror's.
	act := deliverRaw(t, env, fmt.Sprintf(`{"hub_id":%q,"device_id":%q,"device_type":%q,"message_type":"online",`+
		`"activity_time":%d}`, devs[0].HubID, devs[0].ID, devs[0].Type, time.Now().UnixMilli()))
	pages = append(pages, "/activities?device="+devs[0].ID, act)
	shown := map[string]int{}
	for _, path := range pages {
		res := env.get(t, c, path)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d", path, res.status)
			continue
		}
		shown[path] = wantInert(t, path, res.body)
	}
	guest := env.get(t, env.client(t), "/i/"+guestToken)
	wantStatus(t, guest, http.StatusOK)
	shown["guest page"] = wantInert(t, "guest page", guest.body)
	// The payloads must be on the pages (as text), or the test proves nothing.
	for _, path := range []string{"/properties", "/properties/" + p, "/hubs", "/devices/" + devs[0].ID,
		"/activities?device=" + devs[0].ID, act,
		"/properties/" + p + "/lock-codes", "/reservations/" + resID, "/invitations/" + invID, "guest page"} {
		if shown[path] == 0 {
			t.Errorf("%s shows no payload text: the data did not reach it", path)
		}
	}
}

// seedHostileAccess makes a reservation and an invitation with hostile names upstream, mirrors them as the access
// refresh does, and opens a guest link with a hostile name and instructions. It returns the guest token and ids.
func seedHostileAccess(t *testing.T, env *testEnv, pid int64) (token, resID, invID string) {
	t.Helper()
	ctx := t.Context()
	in := time.Now().Add(-time.Hour).UTC().Truncate(time.Minute)
	name := xssPayloads[1]
	r, _, err := env.api.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: &pid, GuestName: &name,
		CheckIn: &in, CheckOut: smarthome.Ptr(in.Add(48 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.UpsertReservation(ctx, stays.MirrorReservation(*r)); err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("xss-%d@example.com", time.Now().UnixNano())
	if _, _, err := env.api.Invitations.Create(ctx, smarthome.InvitationRequest{Email: email, PropertyID: pid, From: in,
		Name: xssPayloads[0]}); err != nil {
		t.Fatal(err)
	}
	ups, _, err := env.api.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: pid, Email: email})
	if err != nil || len(ups) != 1 {
		t.Fatalf("invitation: %v %v", ups, err)
	}
	m, err := stays.MirrorInvitation(ups[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.UpsertInvitation(ctx, m); err != nil {
		t.Fatal(err)
	}
	token, hash, err := newGuestToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.CreateGuestLink(ctx, db.GuestLink{TokenHash: hash, InvitationID: m.ID, PropertyID: pid,
		GuestName: xssPayloads[3], Instructions: xssPayloads[2], StartsAt: in, EndsAt: in.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return token, strconv.FormatInt(r.ID, 10), strconv.FormatInt(m.ID, 10)
}

// deliverRaw posts a webhook body to the env's receiver (no secret configured) and returns the activity's page.
func deliverRaw(t *testing.T, env *testEnv, body string) string {
	t.Helper()
	resp, err := env.srv.Client().Post(env.srv.URL+"/webhooks/smarthome", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got webhookReply
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got.ID == 0 {
		t.Fatalf("delivery: %d %+v %v", resp.StatusCode, got, err)
	}
	return "/activities/" + strconv.FormatInt(got.ID, 10)
}
