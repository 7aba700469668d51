package main

import (
	"context"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// Several dashboards on one PostgreSQL database, as behind a load balancer: the same DATABASE_URL and
// SESSION_SECRET, one shared upstream (a simulator that delivers no webhooks by itself: the tests post them).
const (
	clusterSecret        = "cluster-test-session-secret-0123456789"
	clusterWebhookSecret = "cluster-test-webhook-secret"
	clusterAdmin         = "admin@example.com"
	clusterPassword      = "cluster-admin-password"
)

// testCluster is a PostgreSQL database, an upstream and the environment an instance needs to join them.
type testCluster struct {
	DSN string
	Sim *simulator.Simulator
	env map[string]string
}

// newCluster makes an empty database on the test binary's PostgreSQL cluster and starts a simulator with the
// demo portfolio. With CI=true a missing PostgreSQL fails the test (pgtest), never skips it.
func newCluster(t *testing.T) *testCluster {
	t.Helper()
	dsn := pgtest.DSN(t)
	sim, err := simulator.Start(context.Background(), simulator.Options{Seed: simulator.DemoPortfolio, CommandDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	agent := simulator.DefaultAgents()[0]
	return &testCluster{DSN: dsn, Sim: sim, env: map[string]string{
		"DATABASE_URL":       dsn,
		"SESSION_SECRET":     clusterSecret,
		"WEBHOOK_SECRET":     clusterWebhookSecret,
		"SMARTHOME_API_URL":  sim.URL,
		"SMARTHOME_USERNAME": agent.Username,
		"SMARTHOME_PASSWORD": agent.Password,
		"ADMIN_EMAIL":        clusterAdmin,
		"ADMIN_PASSWORD":     clusterPassword,
		"SYNC_INTERVAL":      "10s",
	}}
}

// Env is the environment of one instance: the cluster's, then extra.
func (c *testCluster) Env(extra map[string]string) map[string]string {
	env := make(map[string]string, len(c.env)+len(extra))
	for k, v := range c.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// Start runs one more instance in this process (through run, like startApp) and waits for its /healthz.
func (c *testCluster) Start(t *testing.T, extra map[string]string) *testApp {
	t.Helper()
	return startApp(t, c.Env(extra))
}

// TestPostgresInstance: with DATABASE_URL set the dashboard runs on PostgreSQL: it starts, migrates, creates the
// configured admin, signs them in and shows the mirrored properties after the first sync.
func TestPostgresInstance(t *testing.T) {
	c := newCluster(t)
	a := c.Start(t, nil)
	a.waitSyncedAs(t, clusterAdmin, clusterPassword)
}
