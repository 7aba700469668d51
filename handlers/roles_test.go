package handlers

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// routeCase is one route of routes.go and what each kind of visitor gets from it.
type routeCase struct {
	pattern string // exactly as registered in routes.go
	method  string
	path    string
	form    url.Values // POST body; nil for GET

	public         bool      // no sign-in needed
	status         int       // public: everyone's status; otherwise the status of an allowed role
	signedInStatus int       // public routes only: the status a signed-in person gets, when it differs
	allowed        []db.Role // non-public: the roles let through; the others get 403
	stream         bool      // an allowed role gets an endless stream: only the status and headers are read
	throttled      bool      // public routes only: rate-limited per target, so after a few of this table's requests 429 is right too
}

// featureRouteCases are the role cases of the feature routes, one function per feature (in its *_roles_test.go).
var featureRouteCases = []func(*testing.T, *testEnv) []routeCase{
	editRouteCases,
	accessRouteCases,
	commandRouteCases,
	lockCodeRouteCases,
	activityRouteCases,
	alertRouteCases,
	notifyRouteCases,
	deviceEditRouteCases,
	apiTokenRouteCases,
	bulkRouteCases,
	// role cases: feature functions go here
}

// routeCases lists every route with concrete ids from the env's mirror. A route in routes.go without a case here
// fails TestRoutesHaveRoleCases.
func routeCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	cases := baseRouteCases(t, env)
	for _, f := range featureRouteCases {
		cases = append(cases, f(t, env)...)
	}
	return cases
}

func baseRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	staffID := strconv.FormatInt(env.users[db.RoleStaff].ID, 10)
	admins := []db.Role{db.RoleAdmin}
	syncers := []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller}
	return []routeCase{
		{pattern: "GET /healthz", method: "GET", path: "/healthz", public: true, status: 200},
		// Public for everyone; 503 here because this env's client logged in before the server's metrics existed, so
		// no login is on record (TestReadyz covers readiness itself).
		{pattern: "GET /readyz", method: "GET", path: "/readyz", public: true, status: 503},
		// No METRICS_TOKEN in the test env: /metrics is the ordinary 404 for everyone (TestMetricsNeedTheToken).
		{pattern: "GET /metrics", method: "GET", path: "/metrics", public: true, status: 404},
		{pattern: "GET /static/", method: "GET", path: "/static/app.css", public: true, status: 200},
		{pattern: "GET /login", method: "GET", path: "/login", public: true, status: 200, signedInStatus: 303},
		{pattern: "POST /login", method: "POST", path: "/login", form: url.Values{}, public: true, status: 422},
		{pattern: "POST /logout", method: "POST", path: "/logout", form: url.Values{}, status: 303, allowed: roles},
		{pattern: "GET /account", method: "GET", path: "/account", status: 200, allowed: roles},
		{pattern: "POST /account/password", method: "POST", path: "/account/password", form: url.Values{}, status: 422, allowed: roles},
		{pattern: "GET /{$}", method: "GET", path: "/", status: 200, allowed: roles},
		{pattern: "GET /properties", method: "GET", path: "/properties?q=a&sort=city", status: 200, allowed: roles},
		{pattern: "GET /properties/{id}", method: "GET", path: "/properties/" + ids.property, status: 200, allowed: roles},
		{pattern: "GET /hubs", method: "GET", path: "/hubs", status: 200, allowed: roles},
		{pattern: "GET /hubs/{id}", method: "GET", path: "/hubs/" + ids.hub, status: 200, allowed: roles},
		{pattern: "GET /devices", method: "GET", path: "/devices?type=lock&battery_below=50&sort=battery", status: 200, allowed: roles},
		{pattern: "GET /devices/{id}", method: "GET", path: "/devices/" + ids.device, status: 200, allowed: roles},
		{pattern: "POST /sync", method: "POST", path: "/sync", form: url.Values{}, status: 303, allowed: syncers},
		{pattern: "GET /sync", method: "GET", path: "/sync", status: 200, allowed: roles},
		{pattern: "GET /events", method: "GET", path: "/events?property=" + ids.property, status: 200, allowed: roles, stream: true},
		{pattern: "GET /users", method: "GET", path: "/users", status: 200, allowed: admins},
		{pattern: "POST /users", method: "POST", path: "/users", form: url.Values{}, status: 422, allowed: admins},
		{pattern: "POST /users/{id}", method: "POST", path: "/users/" + staffID, form: url.Values{}, status: 422, allowed: admins},
		{pattern: "/", method: "GET", path: "/no-such-page", public: true, status: 404},
	}
}

type mirrorIDsT struct{ property, hub, device string }

// mirrorIDs picks one property, hub and device from the synced mirror.
func mirrorIDs(t *testing.T, env *testEnv) mirrorIDsT {
	t.Helper()
	ctx := t.Context()
	props, err := env.store.ListProperties(ctx, db.PropertyFilter{})
	if err != nil || len(props.Items) == 0 {
		t.Fatalf("mirror has no properties: %v", err)
	}
	p := props.Items[0]
	hubs, err := env.store.HubsByProperty(ctx, p.ID)
	if err != nil || len(hubs) == 0 {
		t.Fatalf("property %d has no hubs: %v", p.ID, err)
	}
	devs, err := env.store.DevicesByHub(ctx, hubs[0].ID)
	if err != nil || len(devs) == 0 {
		t.Fatalf("hub %s has no devices: %v", hubs[0].ID, err)
	}
	return mirrorIDsT{property: strconv.FormatInt(p.ID, 10), hub: hubs[0].ID, device: devs[0].ID}
}

var routePattern = regexp.MustCompile(`mux\.Handle\("([^"]+)"`)

// registeredRoutes reads the patterns routes.go registers.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("no mux.Handle patterns found in routes.go")
	}
	return out
}

func TestRoutesHaveRoleCases(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	cases := map[string]bool{}
	for _, c := range routeCases(t, env) {
		cases[c.pattern] = true
	}
	registered := registeredRoutes(t)
	for _, p := range registered {
		if !cases[p] {
			t.Errorf("route %q has no entry in routeCases (roles_test.go): add what each role gets from it", p)
		}
	}
	for p := range cases {
		if !slices.Contains(registered, p) {
			t.Errorf("routeCases lists %q, which routes.go no longer registers", p)
		}
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, rc := range routeCases(t, env) {
		t.Run(rc.pattern+"/signed-out", func(t *testing.T) {
			t.Parallel()
			res := env.do(t, env.client(t), rc.method, rc.path, rc.form, env.sameOrigin())
			if rc.public {
				if !(rc.throttled && res.status == http.StatusTooManyRequests) {
					wantStatus(t, res, rc.status)
				}
				return
			}
			next := "/"
			if rc.method == http.MethodGet {
				next = rc.path
			}
			wantStatus(t, res, http.StatusSeeOther)
			if got, want := res.location(), "/login?next="+url.QueryEscape(next); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
		})
		t.Run(rc.pattern+"/signed-out-htmx", func(t *testing.T) {
			t.Parallel()
			res := env.do(t, env.client(t), rc.method, rc.path, rc.form, env.sameOrigin(), htmx)
			if rc.public {
				if rc.status == http.StatusOK && res.status != http.StatusOK {
					t.Errorf("status %d, want 200", res.status)
				}
				return
			}
			wantStatus(t, res, http.StatusNoContent)
			if got, want := res.header.Get("HX-Redirect"), "/login?next=%2F"; got != want {
				t.Errorf("HX-Redirect %q, want %q", got, want)
			}
		})
		for _, role := range roles {
			t.Run(rc.pattern+"/"+string(role), func(t *testing.T) {
				t.Parallel()
				c := env.signedInClient(t, role)
				allowed := slices.Contains(rc.allowed, role)
				if rc.stream && allowed {
					resp := env.stream(t, c, rc.path)
					if resp.StatusCode != rc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
						t.Fatalf("stream: %d %q, want %d text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"), rc.status)
					}
					return
				}
				res := env.do(t, c, rc.method, rc.path, rc.form, env.sameOrigin())
				if rc.throttled && res.status == http.StatusTooManyRequests {
					return
				}
				want := rc.status
				switch {
				case rc.public && rc.signedInStatus != 0:
					want = rc.signedInStatus
				case !rc.public && !allowed:
					want = http.StatusForbidden
				}
				wantStatus(t, res, want)
				if want == http.StatusForbidden {
					if got := text(one(t, res.doc, "error-status")); got != "403" {
						t.Errorf("error-status %q, want 403", got)
					}
					if msg := text(one(t, res.doc, "error-message")); !strings.Contains(msg, string(role)) {
						t.Errorf("403 message %q does not name the role %s", msg, role)
					}
				}
			})
		}
	}
}

// TestForbiddenHTMX: htmx gets the 403 as a flash fragment retargeted to #flash, not a page in its target.
func TestForbiddenHTMX(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleAuditor)
	before, err := env.store.LastSync(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	res := env.postForm(t, c, "/sync", url.Values{}, htmx)
	wantStatus(t, res, http.StatusForbidden)
	if got := res.header.Get("HX-Retarget"); got != "#flash" {
		t.Errorf("HX-Retarget %q, want #flash", got)
	}
	if f := one(t, res.doc, "flash"); f.AttrOr("data-kind", "") != "error" {
		t.Errorf("flash kind %q, want error", f.AttrOr("data-kind", ""))
	}
	if byTestID(res.doc, "error-page").Length() != 0 || byTestID(res.doc, "brand").Length() != 0 {
		t.Error("htmx 403 carries a whole page")
	}
	after, err := env.store.LastSync(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.ID != before.ID {
		t.Errorf("an auditor's refused sync ran anyway (sync run %d → %d)", before.ID, after.ID)
	}
}
