package pgtest

import (
	"context"
	"fmt"
	"regexp"
)

// Start starts a cluster of its own, apart from the shared one DSN uses, for a program that wants a throwaway
// PostgreSQL server (cmd/cluster): the same initdb, loopback-only, random-port, temporary-folder setup, durability
// off. The caller must Stop it.
func Start() (*Cluster, error) { return start() }

// Stop stops the server at once and removes its folder: nothing in it is meant to outlive the process.
func (c *Cluster) Stop() { c.stop() }

// Dir is the server's temporary folder (data, socket, log).
func (c *Cluster) Dir() string { return c.dir }

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates an empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	if !dbName.MatchString(name) { // it is spliced into the statement: CREATE DATABASE takes no parameters
		return "", fmt.Errorf("pgtest: database name %q: lower-case letters, digits and _ only", name)
	}
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return c.url(name), nil
}
