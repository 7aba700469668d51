package simulator

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := generateDemo(7, 40, testStart).marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := generateDemo(7, 40, testStart).marshal()
	c, _ := generateDemo(8, 40, testStart).marshal()
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different portfolios")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same portfolio")
	}
}

func TestDemoPortfolioShape(t *testing.T) {
	t.Parallel()
	st := generateDemo(DemoPortfolio, 200, testStart)
	zones := map[string]bool{}
	for _, p := range st.Properties {
		zones[p.TimeZone] = true
	}
	for _, z := range []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "Pacific/Honolulu"} {
		if !zones[z] {
			t.Errorf("no property in %s", z)
		}
	}
	var offline, unassigned, battery, low, leaks int
	for _, h := range st.Hubs {
		if _, err := strconv.ParseInt(strconv.FormatInt(h.Serial, 10), 10, 64); err != nil || h.Serial <= 0 {
			t.Errorf("serial %d", h.Serial)
		}
		if !h.Online {
			offline++
		}
		if h.PropertyID == 0 && h.Company == demoCompany {
			unassigned++
		}
		var locks, thermostats int
		for _, d := range st.idx().devsByHub[h.ID] {
			locks += boolInt(d.Type == "lock")
			thermostats += boolInt(d.Type == "thermostat")
		}
		if h.PropertyID != 0 && (locks < 1 || locks > 2 || thermostats != 1) {
			t.Errorf("hub %d: %d locks, %d thermostats", h.Serial, locks, thermostats)
		}
	}
	for _, d := range st.Devices {
		if d.PowerSource == "battery" {
			battery++
			low += boolInt(d.Battery < 20)
		}
		leaks += boolInt(d.Leak)
	}
	if offline < 10 || offline > 35 {
		t.Errorf("%d of %d hubs offline, want about 10%%", offline, len(st.Hubs))
	}
	if ratio := float64(low) / float64(battery); ratio < 0.05 || ratio > 0.15 {
		t.Errorf("%d of %d battery devices below 20%%", low, battery)
	}
	if leaks < 1 || leaks > 2 || unassigned != 3 {
		t.Errorf("%d leaks, %d unassigned hubs", leaks, unassigned)
	}
	if first := st.idx().hubsByProperty[101][0]; !first.Online {
		t.Error("the resident's hub is offline")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLargePortfolio seeds 5,000 properties. How long that takes is in make bench's "Building a portfolio" table.
func TestLargePortfolio(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Properties: 5000, Clock: NewFakeClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.mu.Lock()
	props, hubs := len(s.st.Properties), len(s.st.Hubs)
	s.mu.Unlock()
	if props != 5000 || hubs != 5004 {
		t.Errorf("%d properties, %d hubs", props, hubs)
	}
}

func TestSameSeedSameIDs(t *testing.T) {
	t.Parallel()
	ids := func() []string {
		s, err := New(Options{Seed: 99, Properties: 5, Clock: NewFakeClock(testStart)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []string
		for _, h := range s.st.idx().sortedHubs {
			out = append(out, h.ID, h.MasterCode)
			for _, d := range s.st.idx().devsByHub[h.ID] {
				out = append(out, d.ID, d.Name)
			}
		}
		return out
	}
	if a, b := ids(), ids(); !slices.Equal(a, b) {
		t.Error("two simulators with the same seed differ")
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sim.json")
	e := start(t, Options{StatePath: path})
	agent := e.installer()
	lock := e.firstOf("lock")
	id := createCode(e, agent, lock.ID, "918273")
	e.advance(DefaultCommandDelay)
	e.call("PUT", "/api/devices/"+lock.ID, agent, `{"commands":{"mode":"unlock"}}`, 200, nil) // still pending at Close
	deadline := time.Now().Add(5 * time.Second)
	for { // saved on change, without waiting for Close
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no state file while running")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e.sim.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no state file: %v", err)
	}

	again := start(t, Options{StatePath: path, Clock: NewFakeClock(testStart.Add(DefaultCommandDelay))})
	st, status := codeState(again, agent, id) // the old token still works
	if status != 200 || st.Status != codeSet {
		t.Fatalf("code after restart: %d %+v", status, st)
	}
	again.advance(DefaultCommandDelay)
	var d map[string]any
	again.call("GET", "/api/devices/"+lock.ID, agent, nil, 200, &d)
	if d["status"].(map[string]any)["mode"].(map[string]any)["type"] != "unlocked" {
		t.Error("the pending command was lost in the restart")
	}
	newID := createCode(again, agent, lock.ID, "111999")
	if newID == id {
		t.Error("the restored random stream repeated an id")
	}
}

func TestStatePathErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"version":1,`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: path}); err == nil {
		t.Error("a corrupt state file was accepted")
	}
	for _, o := range []Options{{Properties: -1}, {WebhookURL: "ftp://x"}, {WebhookURL: "/relative"}, {LifeRate: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestWallClockAndContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, Options{Properties: 2, CommandDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: s, hc: &http.Client{Timeout: 5 * time.Second}}
	agent := e.installer()
	lock := e.firstOf("lock").ID
	e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"unlock"}}`, 200, nil)
	deadline := time.Now().Add(5 * time.Second)
	for len(e.events("Unlock")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the command was not applied on the wall clock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	deadline = time.Now().Add(5 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+"/api/hubs", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			break // the server is gone
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server outlived its context")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel: %v", err)
	}
	if err := s.Flush(t.Context()); err != nil && err != ErrClosed {
		t.Errorf("Flush after Close: %v", err)
	}
}
