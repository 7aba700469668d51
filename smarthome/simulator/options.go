package simulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// DemoPortfolio is the seed of the demo data the dashboard shows when no upstream is configured.
const DemoPortfolio int64 = 20240820

// Defaults applied by New to zero Options fields.
const (
	DefaultCommandDelay = 2 * time.Second
	DefaultProperties   = 40
	DefaultTokenTTL     = 2 * time.Hour
)

// Options configures a Simulator. The zero value is a quiet, 40-property demo on the wall clock.
type Options struct {
	Addr                 string        // Start only: listen address; empty = 127.0.0.1:0
	Clock                Clock         // nil = wall clock; a *FakeClock lets tests move time (Advance)
	CommandDelay         time.Duration // how long hardware takes to apply a command or sync a code; 0 = 2s, <0 = immediately on the next step
	Properties           int           // demo portfolio size; 0 = 40
	Seed                 int64         // seeds ids, names and every random choice
	WebhookURL           string        // where catalogue events are POSTed; empty = recorded only
	WebhookSecret        string        // when set, deliveries carry Standard Webhooks headers
	ActivityTimeAsString bool          // activity_time as "YYYY-MM-DD HH:MM:SS UTC" instead of epoch ms
	DisableGuessed       bool          // turn off every inferred route (guessed.go)
	Control              bool          // serve the /_sim/* test controls
	Agents               []Agent       // nil = DefaultAgents()
	Residents            []Resident    // nil = DefaultResidents()
	TokenTTL             time.Duration // agent token and resident JWT lifetime; 0 = 2h
	LifeRate             float64       // background "life" events per simulated second; 0 = off
	StatePath            string        // persist state here (on change, at Close) and load it at start if present
	Logger               *slog.Logger  // webhook delivery and state-save failures only; nil = silent
	WebhookRetry         RetryPolicy   // zero fields = 8 attempts, 1s base, 1 min cap
	WebhookDuplicateRate float64       // probability of delivering an event a second time (receiver dedupe tests)
	WebhookQueueSize     int           // pending deliveries kept; the oldest is dropped beyond it; 0 = 10,000
}

// RetryPolicy is the webhook retry schedule: attempt n waits BaseDelay·2ⁿ⁻¹, capped at MaxDelay. Delays are wall-clock
// time, since they pace real HTTP requests.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

// Agent is an integration account (POST /api/agents). Roles matter for the master-code reset ("Hub Installer").
type Agent struct {
	Username string
	Password string
	Roles    []string
	Company  string // empty = the demo company, which owns every demo hub but one
}

// Resident is a mobile-app account (POST /oauth/token), bound to one property.
type Resident struct {
	Email      string
	Password   string
	Name       string
	PropertyID int64 // 0 = the first property
}

// RoleHubInstaller is the only role allowed to reset a hub's master code [DOC D-overview].
const RoleHubInstaller = "Hub Installer"

// demoCompany owns the demo portfolio; otherCompany owns one hub the agents may not see (403 tests).
const (
	demoCompany  = "Keyless Demo Realty"
	otherCompany = "Other Realty"
)

// DefaultAgents returns the demo agent accounts: an installer and a leasing agent without the installer role.
func DefaultAgents() []Agent {
	return []Agent{
		{Username: "demo-agent", Password: "demo-agent-password", Roles: []string{"Agent", RoleHubInstaller}},
		{Username: "leasing-agent", Password: "leasing-agent-password", Roles: []string{"Agent"}},
	}
}

// DefaultResidents returns the demo resident, bound to the first property.
func DefaultResidents() []Resident {
	return []Resident{{Email: "resident@example.com", Password: "resident-password", Name: "Riley Resident"}}
}

func withDefaults(o Options) (Options, error) {
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.CommandDelay == 0 {
		o.CommandDelay = DefaultCommandDelay
	}
	o.CommandDelay = max(o.CommandDelay, 0)
	if o.Properties == 0 {
		o.Properties = DefaultProperties
	}
	if o.Properties < 0 || o.Properties > 100_000 {
		return o, fmt.Errorf("simulator: properties %d out of range 1..100000", o.Properties)
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Agents == nil {
		o.Agents = DefaultAgents()
	}
	if o.Residents == nil {
		o.Residents = DefaultResidents()
	}
	if o.LifeRate < 0 || o.WebhookDuplicateRate < 0 || o.WebhookDuplicateRate > 1 {
		return o, errors.New("simulator: negative life rate or duplicate rate outside 0..1")
	}
	if o.WebhookURL != "" {
		u, err := url.Parse(o.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, fmt.Errorf("simulator: webhook url %q is not an absolute http(s) URL", o.WebhookURL)
		}
	}
	o.WebhookRetry.MaxAttempts = cmpOr(o.WebhookRetry.MaxAttempts, 8)
	o.WebhookRetry.BaseDelay = cmpOr(o.WebhookRetry.BaseDelay, time.Second)
	o.WebhookRetry.MaxDelay = cmpOr(o.WebhookRetry.MaxDelay, time.Minute)
	o.WebhookQueueSize = cmpOr(o.WebhookQueueSize, 10_000)
	return o, nil
}

// cmpOr returns v unless it is zero or negative, then def.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
