// Command cluster runs a throwaway two-instance deployment on this machine (`make cluster`): a PostgreSQL server
// from Debian's postgresql package (initdb and pg_ctl, as the postgres user when run as root, in a temporary
// folder, on 127.0.0.1 at a random port, durability off), two dashboard instances on two ports sharing it, and the
// Smart Home simulator as their upstream, delivering webhooks to instance A. It prints the addresses and the admin
// login, and on Ctrl-C stops everything and removes the folders. Nothing it stores survives.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/keyless/dashboard/db/pgtest"
	"github.com/keyless/dashboard/smarthome/simulator"
)

const (
	adminEmail   = "admin@example.com"
	startTimeout = 60 * time.Second // for each instance's /healthz: migrating an empty database takes a second
	stopTimeout  = 20 * time.Second // an instance's graceful stop, then SIGKILL
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

type config struct {
	web          string // the dashboard binary
	portA, portB int
	life         float64
}

func parseConfig(args []string, stdout io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.StringVar(&c.web, "web", "bin/web", "the dashboard binary (make cluster builds it)")
	fs.IntVar(&c.portA, "port-a", 8081, "instance A's port on 127.0.0.1 (0: any free port); the simulator delivers here")
	fs.IntVar(&c.portB, "port-b", 8082, "instance B's port on 127.0.0.1 (0: any free port)")
	fs.Float64Var(&c.life, "life", 0.5, "simulator background events per second (each one a webhook to A)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.life < 0 {
		return c, errors.New("-life must not be negative")
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) (err error) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseConfig(args, stdout)
	if err != nil {
		return err
	}
	web, err := filepath.Abs(cfg.web)
	if err == nil {
		_, err = os.Stat(web)
	}
	if err != nil {
		return fmt.Errorf("the dashboard binary: %w (build it with make build, or run make cluster)", err)
	}
	for _, p := range []*int{&cfg.portA, &cfg.portB} {
		if *p == 0 {
			if *p, err = freePort(); err != nil {
				return err
			}
		}
	}
	logs, err := os.MkdirTemp("", "dashboard-cluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(logs)

	fmt.Fprintln(stdout, "starting PostgreSQL (initdb, pg_ctl)…")
	pg, err := pgtest.Start()
	if err != nil {
		return err
	}
	defer pg.Stop()
	dsn, err := pg.CreateDatabase(ctx, "dashboard")
	if err != nil {
		return err
	}
	urlA, urlB := fmt.Sprintf("http://127.0.0.1:%d", cfg.portA), fmt.Sprintf("http://127.0.0.1:%d", cfg.portB)
	hookSecret, sessionSecret, password := rand.Text(), rand.Text()+rand.Text(), rand.Text()
	agent := simulator.DefaultAgents()[0]
	sim, err := simulator.Start(ctx, simulator.Options{Seed: simulator.DemoPortfolio, LifeRate: cfg.life,
		WebhookURL: urlA + "/webhooks/smarthome", WebhookSecret: hookSecret,
		Agents: simulator.DefaultAgents(), Residents: simulator.DefaultResidents()})
	if err != nil {
		return err
	}
	defer sim.Close()

	env := []string{"PATH=" + getenv("PATH"), "HOME=" + logs, "DATABASE_URL=" + dsn, "SESSION_SECRET=" + sessionSecret,
		"WEBHOOK_SECRET=" + hookSecret, "SMARTHOME_API_URL=" + sim.URL, "SMARTHOME_USERNAME=" + agent.Username,
		"SMARTHOME_PASSWORD=" + agent.Password, "ADMIN_EMAIL=" + adminEmail, "ADMIN_PASSWORD=" + password,
		"SIM_COMMAND_DELAY=2s"}
	var procs []*instance
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	for _, in := range []struct {
		name string
		port int
		url  string
	}{{"a", cfg.portA, urlA}, {"b", cfg.portB, urlB}} {
		p, err := startInstance(web, append(env, fmt.Sprintf("ADDR=127.0.0.1:%d", in.port)), filepath.Join(logs, in.name+".log"))
		if err != nil {
			return err
		}
		procs = append(procs, p)
		if err := waitHealthy(ctx, in.url, p); err != nil {
			return fmt.Errorf("instance %s: %w (log: %s)", strings.ToUpper(in.name), err, tail(p.log))
		}
	}
	fmt.Fprintf(stdout, `
dashboard cluster up (all of it is removed on Ctrl-C):
  instance A   %s   (the simulator delivers webhooks here)
  instance B   %s
  sign in      %s / %s   on either; a session made on one works on the other
  PostgreSQL   %s
  simulator    %s
  logs         %s
`, urlA, urlB, adminEmail, password, dsn, sim.URL, logs)
	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "stopping…")
		return nil
	case <-procs[0].done:
		return fmt.Errorf("instance A exited: %v\n%s", procs[0].err, tail(procs[0].log))
	case <-procs[1].done:
		return fmt.Errorf("instance B exited: %v\n%s", procs[1].err, tail(procs[1].log))
	}
}

// instance is one running dashboard process.
type instance struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startInstance(bin string, env []string, logPath string) (*instance, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Ctrl-C reaches us, and we stop it in order
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &instance{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// stop asks for a graceful shutdown and kills the process if it has not exited in time.
func (p *instance) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func waitHealthy(ctx context.Context, url string, p *instance) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
			return fmt.Errorf("exited during start: %v", p.err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 from %s/healthz within %s", url, startTimeout)
		}
	}
}

// tail is the end of a log file, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	return string(b[max(0, len(b)-3000):])
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
