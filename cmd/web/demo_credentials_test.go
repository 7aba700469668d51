package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestDemoSimulatorRefusesDocumentedLogins: the embedded simulator's agent and resident passwords are made at
// start and stay in the process, so another local process cannot use the documented demo logins to read PINs.
func TestDemoSimulatorRefusesDocumentedLogins(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"DEMO_USERS": "false"})
	m := regexp.MustCompile(`embedded Smart Home simulator at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(a.logs.String())
	if m == nil {
		t.Fatalf("no simulator address in the start-up output:\n%s", a.logs.String())
	}
	for _, ag := range simulator.DefaultAgents() {
		body := `{"username":"` + ag.Username + `","password":"` + ag.Password + `","grant_type":"password"}`
		resp, err := http.Post(m[1]+"/api/agents", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("documented agent login %s: status %d, want a refusal", ag.Username, resp.StatusCode)
		}
	}
	if strings.Contains(a.logs.String(), "sim-") {
		t.Error("the generated simulator password was printed")
	}
	agents, residents := demoCredentials()
	again, _ := demoCredentials()
	if agents[0].Password == simulator.DefaultAgents()[0].Password || agents[0].Password == again[0].Password ||
		residents[0].Password == simulator.DefaultResidents()[0].Password {
		t.Error("demo credentials are not fresh per run")
	}
}
