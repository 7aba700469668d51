package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// urlRecorder records every URL a client requests and every Location header it is sent.
type urlRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (u *urlRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := u.base.RoundTrip(r)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen = append(u.seen, "request "+r.URL.String())
	if err == nil && resp.Header.Get("Location") != "" {
		u.seen = append(u.seen, "Location "+resp.Header.Get("Location"))
	}
	if err == nil && resp.Header.Get("HX-Redirect") != "" {
		u.seen = append(u.seen, "HX-Redirect "+resp.Header.Get("HX-Redirect"))
	}
	return resp, err
}

func (u *urlRecorder) lines() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

// TestNoPINsInLogsURLsOrEvents: through a flow that issues, reveals, edits and syncs lock codes, makes a
// reservation (whose code the upstream generates), reveals it and gets a one-off unlock code, with PINs typed at
// keypads too, no PIN the simulator holds appears in any server log line, any requested URL or Location header,
// or any live event.
func TestNoPINsInLogsURLsOrEvents(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t, withBeforeSync(addPINs))
	rec := &urlRecorder{}
	admin := env.signedInClient(t, db.RoleAdmin)
	rec.base, admin.Transport = admin.Transport, rec
	events := sseEvents(env.stream(t, admin, "/events"))
	waitSubscribed(t, env.testEnv, 1)
	var (
		mu     sync.Mutex
		pushed []sseEvent
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			mu.Lock()
			pushed = append(pushed, ev)
			mu.Unlock()
		}
	}()

	id := env.create(t, admin, lcProperty, codeFormValues("Leak check", "639174"))
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	wantStatus(t, env.postForm(t, admin, "/lock-codes/"+id+"/reveal", url.Values{}, htmx), http.StatusOK)
	edit := codeFormValues("Leak check", "715382")
	edit.Del("scope")
	if res := env.postForm(t, admin, "/lock-codes/"+id, edit); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%.1000s", res.status, res.body)
	}
	env.waitCode(t, id, "set again", allStatus(db.LockCodeSet))
	wantStatus(t, env.postForm(t, admin, "/sync", url.Values{}), http.StatusSeeOther)

	p, err := env.store.Property(t.Context(), lcProperty)
	if err != nil {
		t.Fatal(err)
	}
	loc := tz.Load(p.TimeZone)
	in := time.Now().Add(2 * time.Hour).In(loc)
	res := env.postForm(t, admin, "/reservations", url.Values{"property_id": {"101"}, "guest_name": {"Leak Guest"},
		"check_in": {in.Format("2006-01-02T15:04")}, "check_out": {in.Add(24 * time.Hour).Format("2006-01-02T15:04")},
		"buffer_before": {"0"}, "buffer_after": {"0"}})
	rid := idFrom(t, res, "/reservations/")
	rpath := "/reservations/" + strconv.FormatInt(rid, 10)
	wantStatus(t, env.postForm(t, admin, rpath+"/reveal", url.Values{}, htmx), http.StatusOK)
	env.get(t, admin, rpath+"/code", htmx)
	hubs, err := env.store.HubsByProperty(t.Context(), lcProperty)
	if err != nil || len(hubs) == 0 {
		t.Fatalf("hubs: %v", err)
	}
	unlock := env.postForm(t, admin, "/hubs/"+hubs[0].ID+"/unlock-code", url.Values{"name": {"Agent Leak"}, "phone": {"+1 512 555 0100"}}, htmx)
	wantStatus(t, unlock, http.StatusOK)
	oneOff := text(one(t, unlock.doc, "unlock-code-value"))
	time.Sleep(300 * time.Millisecond) // let the last pushes arrive

	pins := simulatorPINs(t, env.testEnv)
	pins = append(pins, "639174", "715382", oneOff)
	if len(pins) < 8 {
		t.Fatalf("only %d PINs known: the check would prove little", len(pins))
	}
	mu.Lock()
	var evs []string
	for _, ev := range pushed {
		evs = append(evs, ev.name+" "+ev.data)
	}
	mu.Unlock()
	if len(evs) == 0 {
		t.Error("no live event during the flow: the stream check proves nothing")
	}
	wantNoPIN(t, pins, map[string][]string{"log": strings.Split(env.logs.String(), "\n"), "URL": rec.lines(), "event": evs})
}

// simulatorPINs is every PIN the simulator holds: lock codes, reservation codes and master codes.
func simulatorPINs(t *testing.T, env *testEnv) []string {
	t.Helper()
	raw, err := env.sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		LockCodes    map[string]struct{ Code string } `json:"lock_codes"`
		Reservations map[string]struct{ Code string } `json:"reservations"`
		Hubs         map[string]struct {
			MasterCode string `json:"master_code"`
		} `json:"hubs"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	var pins []string
	for _, c := range st.LockCodes {
		pins = append(pins, c.Code)
	}
	for _, r := range st.Reservations {
		pins = append(pins, r.Code)
	}
	for _, h := range st.Hubs {
		pins = append(pins, h.MasterCode)
	}
	return pins
}

// wantNoPIN fails if a PIN appears, as a whole number, in any line of any source.
func wantNoPIN(t *testing.T, pins []string, sources map[string][]string) {
	t.Helper()
	for _, pin := range pins {
		if len(pin) < 4 {
			continue
		}
		re := regexp.MustCompile(`(^|[^0-9])` + regexp.QuoteMeta(pin) + `([^0-9]|$)`)
		for src, lines := range sources {
			for _, line := range lines {
				if re.MatchString(line) {
					t.Errorf("a PIN (%d digits) appears in a %s line: %.300s", len(pin), src, strings.ReplaceAll(line, pin, "<PIN>"))
				}
			}
		}
	}
}
