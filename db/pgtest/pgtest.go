// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb and pg_ctl from Debian's postgresql
// package, as the postgres user when the tests run as root, in a temporary folder, listening on 127.0.0.1 only at
// a random port. One cluster serves a whole test binary; each test gets its own database.
//
// With CI=true a missing PostgreSQL fails the test: CI must prove the PostgreSQL store, never skip it. Elsewhere it
// skips, naming the package to install.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Cluster is one running PostgreSQL server.
type Cluster struct {
	dir     string // owned by the server's user: data/, the socket, the log
	bin     string
	port    int
	cred    *syscall.Credential // nil: run as ourselves
	admin   *sql.DB
	nextDB  atomic.Int64
	durable bool // fsync, synchronous_commit and full_page_writes left on (StartWith)
}

var (
	once    sync.Once
	shared  *Cluster
	initErr error
)

// ErrMissing is returned when no PostgreSQL binaries are installed.
var ErrMissing = errors.New("pgtest: PostgreSQL is not installed (apt-get install postgresql)")

// Main runs the tests and stops the cluster if one was started: call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

// DSN returns the URL of a new, empty database on the shared cluster, starting the cluster on first use.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, initErr = start(Options{}) })
	if initErr != nil {
		if errors.Is(initErr, ErrMissing) && os.Getenv("CI") != "true" {
			t.Skip(initErr)
		}
		t.Fatal(initErr)
	}
	return shared.newDatabase(t)
}

func (c *Cluster) url(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, dbname)
}

func (c *Cluster) newDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), c.nextDB.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE: a test that leaked a connection must not keep its database (or the cluster's shutdown) waiting.
		if _, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return c.url(name)
}

// binDir finds initdb and pg_ctl: on PATH, else Debian's versioned folder (the newest).
func binDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrMissing
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func start(o Options) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, durable: o.Durable}
	if os.Geteuid() == 0 { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs the postgres user (Debian's postgresql creates it): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if c.dir, err = os.MkdirTemp(o.Dir, "pgtest-"); err != nil {
		return nil, err
	}
	if c.dir, err = filepath.Abs(c.dir); err != nil { // pg_ctl runs in it, and the socket path is absolute
		os.RemoveAll(c.dir)
		return nil, err
	}
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	initArgs := []string{"-D", filepath.Join(c.dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"}
	if !o.Durable {
		initArgs = append(initArgs, "--no-sync")
	}
	if err := c.run("initdb", initArgs...); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	for attempt := 0; ; attempt++ { // a free port can be taken between our probe and the server's bind
		if c.port, err = freePort(); err == nil {
			if err = c.startServer(); err == nil {
				break
			}
		}
		if attempt == 2 {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	if c.admin, err = sql.Open("pgx", c.url("postgres")); err == nil {
		err = c.admin.Ping()
	}
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("pgtest: connect: %w", err)
	}
	return c, nil
}

func (c *Cluster) startServer() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c max_connections=300",
		c.port, c.dir)
	if !c.durable {
		// Durability settings are off: a test cluster dies with its folder, and a killed server process (not the
		// machine) loses nothing that was committed anyway.
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	return c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "server.log"), "-w",
		"-t", "60", "-o", opts, "start")
}

func (c *Cluster) stop() {
	if c.admin != nil {
		c.admin.Close()
	}
	_ = c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("pgtest: %s: %v\n%s\n%s", name, err, out.Bytes(), log)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
