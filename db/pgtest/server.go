package pgtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Start starts a cluster of its own, apart from the shared one DSN uses, for a program that wants a throwaway
// PostgreSQL server (cmd/cluster): the same initdb, loopback-only, random-port, temporary-folder setup, durability
// off. The caller must Stop it.
func Start() (*Cluster, error) { return start(Options{}) }

// Options change how StartWith sets a cluster up.
type Options struct {
	// Durable keeps PostgreSQL's durability on (fsync, synchronous_commit, full_page_writes, and initdb's own
	// sync), for figures comparable with SQLite's synchronous=FULL (cmd/bench). The folder then defaults to the
	// working directory, since the temporary folder may be a tmpfs, where an fsync costs nothing.
	Durable bool
	// Dir is the folder the cluster's own folder is made in: os.TempDir() by default, "." when Durable.
	Dir string
}

// StartWith is Start with options. The caller must Stop the cluster.
func StartWith(o Options) (*Cluster, error) {
	if o.Durable && o.Dir == "" {
		o.Dir = "."
	}
	return start(o)
}

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

// DatabaseSize is the size on disk of database name (pg_database_size: tables, indexes, TOAST), in bytes.
func (c *Cluster) DatabaseSize(ctx context.Context, name string) (int64, error) {
	var n int64
	err := c.admin.QueryRowContext(ctx, `SELECT pg_database_size($1)`, name).Scan(&n)
	return n, err
}

// Describe names the server's version and the settings a benchmark's reader needs to weigh its figures, e.g.
// "PostgreSQL 15.8; fsync=on, synchronous_commit=on, full_page_writes=on, shared_buffers=128MB".
func (c *Cluster) Describe(ctx context.Context) (string, error) {
	var version string
	if err := c.admin.QueryRowContext(ctx, `SHOW server_version`).Scan(&version); err != nil {
		return "", err
	}
	names := []string{"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_connections"}
	settings := make([]string, 0, len(names))
	for _, n := range names {
		var v string
		if err := c.admin.QueryRowContext(ctx, `SELECT current_setting($1)`, n).Scan(&v); err != nil {
			return "", err
		}
		settings = append(settings, n+"="+v)
	}
	return "PostgreSQL " + strings.Fields(version)[0] + "; " + strings.Join(settings, ", "), nil
}
