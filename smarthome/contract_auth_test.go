package smarthome_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractAgentLogin(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	tests := []struct {
		name, user, pass string
		wantErr          bool
	}{
		{"installer", installerUser, installerPass, false},
		{"leasing agent", leasingUser, leasingPass, false},
		{"bad password", installerUser, "not-the-password", true},
		{"unknown user", "nobody", "whatever-password", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client(smarthome.WithAgentLogin(tt.user, tt.pass))
			hubs, _, err := c.Hubs.List(t.Context(), nil)
			if logins := c.rec.count("POST /api/agents"); logins != 1 {
				t.Errorf("%d logins, want 1", logins)
			}
			if !tt.wantErr {
				must(t, err)
				if len(hubs) == 0 {
					t.Error("no hubs")
				}
				for _, s := range c.rec.requests()[1:] {
					if !s.bearer {
						t.Errorf("%s: agent token not sent as Bearer", s.route)
					}
				}
				return
			}
			checkErr(t, err, smarthome.ErrUnauthorized, "")
			var er *smarthome.ErrorResponse
			if !errors.As(err, &er) || er.StatusCode != 401 || er.OAuthError != "invalid_grant" ||
				!strings.Contains(er.OAuthDescription, "authorization grant is invalid") {
				t.Errorf("err = %#v, want 401 invalid_grant with its description", er)
			}
			if strings.Contains(err.Error(), tt.pass) {
				t.Error("the error text carries the password")
			}
			if c.rec.total() != 1 {
				t.Errorf("%d requests after a refused login, want only the login", c.rec.total())
			}
		})
	}
}

func TestContractAgentTokenReuse(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	tok, _, err := c.Agents.Token(t.Context())
	must(t, err)
	if tok.TokenType != "Bearer" || len(tok.AccessToken) != 64 {
		t.Errorf("token %v: want a 64-hex Bearer token", tok)
	}
	if d := time.Until(tok.Expiry); d < simulator.DefaultTokenTTL-time.Minute || d > simulator.DefaultTokenTTL {
		t.Errorf("token expires in %v, want the simulator's expires_in (%v)", d, simulator.DefaultTokenTTL)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, _, err := c.Properties.List(t.Context(), nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if n := c.rec.count("POST /api/agents"); n != 1 {
		t.Errorf("%d logins for 8 requests, want the one token reused", n)
	}
}

func TestContractAgentTokenExpiry(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	old := e.token(c)
	_, _, err := c.Hubs.List(t.Context(), nil)
	must(t, err)

	e.advance(simulator.DefaultTokenTTL + time.Minute) // the simulator now refuses the token; the client still trusts it
	e.wantRaw(old, "GET", "/api/hubs", nil, 401, "Access token has expired")
	hubs, _, err := c.Hubs.List(t.Context(), nil)
	must(t, err)
	if len(hubs) == 0 {
		t.Error("no hubs after the re-login")
	}
	if n := c.rec.count("POST /api/agents"); n != 2 {
		t.Errorf("%d logins, want 2 (the first and one after the 401)", n)
	}
	if n := c.rec.count("GET /api/hubs"); n != 3 {
		t.Errorf("GET /api/hubs sent %d times, want 3 (ok, 401, retry)", n)
	}
}

func TestContractResident(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	ctx := t.Context()

	t.Run("login sees only the resident's property", func(t *testing.T) {
		c := e.resident()
		props, resp, err := c.Properties.List(ctx, nil)
		must(t, err)
		if len(props) != 1 || props[0].ID != 101 || resp.TotalRecords != 1 {
			t.Fatalf("properties %v (total %d), want only 101", props, resp.TotalRecords)
		}
		for _, s := range c.rec.requests() {
			if s.route != "POST /oauth/token" && (s.bearer || !s.authed) {
				t.Errorf("%s: the resident JWT must go raw, without Bearer", s.route)
			}
		}
		_, _, err = c.Properties.Devices(ctx, 102)
		checkErr(t, err, smarthome.ErrForbidden, "do not have access")
	})
	t.Run("bad password", func(t *testing.T) {
		c := e.client(smarthome.WithResidentLogin(residentEmail, "wrong-password"))
		_, _, err := c.Properties.List(ctx, nil)
		checkErr(t, err, smarthome.ErrUnauthorized, "Incorrect username or password.")
		checkErr(t, err, smarthome.ErrRejected, "") // HTTP 200 with "success": false, as the fixture shows
	})
	t.Run("refresh after expiry", func(t *testing.T) {
		c := e.resident()
		_, _, err := c.Properties.List(ctx, nil)
		must(t, err)
		e.advance(simulator.DefaultTokenTTL + time.Minute)
		_, _, err = c.Properties.List(ctx, nil)
		must(t, err)
		if l, r := c.rec.count("POST /oauth/token"), c.rec.count("POST /api/refreshtoken"); l != 1 || r != 1 {
			t.Errorf("%d logins and %d refreshes, want 1 and 1", l, r)
		}
		_, _, err = c.Properties.List(ctx, nil)
		must(t, err)
		if r := c.rec.count("POST /api/refreshtoken"); r != 1 {
			t.Errorf("the refreshed token was not reused (%d refreshes)", r)
		}
	})
	t.Run("403 on hub activity logs", func(t *testing.T) {
		c := e.resident()
		s := e.site(c, 101)
		_, _, err := c.Hubs.DesiredActivities(ctx, s.hub.ID, smarthome.ActivityQuery{Events: []string{smarthome.EventAddDevice}})
		checkErr(t, err, smarthome.ErrForbidden, "only available to agents")
	})
}
