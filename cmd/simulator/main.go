// Command simulator serves the Rently Smart Home API simulator on its own, for testing an integration without the
// real upstream. All logic lives in smarthome/simulator; this is flags, accounts and the process lifecycle.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/keyless/dashboard/smarthome/simulator"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
}

// config is what the flags and environment ask for.
type config struct {
	opts     simulator.Options
	logLevel slog.Level
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	o := &c.opts
	fakeClock := false
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8090", "listen address")
	fs.StringVar(&o.WebhookURL, "webhook-url", "", "POST catalogue events to this URL (empty: record only)")
	fs.StringVar(&o.WebhookSecret, "webhook-secret", getenv("SIM_WEBHOOK_SECRET"),
		"sign deliveries with Standard Webhooks headers (default $SIM_WEBHOOK_SECRET)")
	fs.StringVar(&o.StatePath, "state", "", "keep state in this JSON file across restarts")
	fs.Float64Var(&o.LifeRate, "life", 0, "background events per simulated second (0: quiet)")
	fs.IntVar(&o.Properties, "properties", simulator.DefaultProperties, "demo portfolio size")
	fs.DurationVar(&o.CommandDelay, "command-delay", simulator.DefaultCommandDelay, "time hardware takes to apply a command")
	fs.BoolVar(&o.Control, "control", true, "serve the /_sim/* test controls (never on a shared network)")
	fs.Int64Var(&o.Seed, "seed", simulator.DemoPortfolio, "seed of the demo portfolio and every random choice")
	fs.BoolVar(&o.ActivityTimeAsString, "activity-time-string", false, `send activity_time as "YYYY-MM-DD HH:MM:SS UTC"`)
	fs.BoolVar(&o.DisableGuessed, "disable-guessed", false, "turn off every route the public docs do not show")
	fs.BoolVar(&fakeClock, "fake-clock", false, "freeze time; move it with POST /_sim/clock/advance")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log level (DEBUG shows every failed delivery attempt)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if fakeClock {
		o.Clock = simulator.NewFakeClock(time.Now().Truncate(time.Second))
	}
	o.Agents, o.Residents = simulator.DefaultAgents(), simulator.DefaultResidents()
	if u, p := getenv("SIM_AGENT_USERNAME"), getenv("SIM_AGENT_PASSWORD"); u != "" || p != "" {
		if u == "" || p == "" {
			return c, errors.New("set both SIM_AGENT_USERNAME and SIM_AGENT_PASSWORD, or neither")
		}
		o.Agents[0].Username, o.Agents[0].Password = u, p
	}
	if e, p := getenv("SIM_RESIDENT_EMAIL"), getenv("SIM_RESIDENT_PASSWORD"); e != "" || p != "" {
		if e == "" || p == "" {
			return c, errors.New("set both SIM_RESIDENT_EMAIL and SIM_RESIDENT_PASSWORD, or neither")
		}
		o.Residents[0].Email, o.Residents[0].Password = e, p
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: c.logLevel}))
	c.opts.Logger = logger
	sim, err := simulator.Start(ctx, c.opts)
	if err != nil {
		return err
	}
	printBanner(stdout, sim.URL, c.opts)
	<-ctx.Done()
	logger.Info("shutting down")
	return sim.Close()
}

// printBanner tells a person where the API is and how to log in. Passwords are shown only for the demo defaults:
// one taken from the environment is a secret.
func printBanner(w io.Writer, url string, o simulator.Options) {
	fmt.Fprintf(w, "Smart Home simulator listening on %s (API under %s/api/, resident auth %s/oauth/token)\n", url, url, url)
	defaults := map[string]string{}
	for _, a := range simulator.DefaultAgents() {
		defaults[a.Username] = a.Password
	}
	for _, r := range simulator.DefaultResidents() {
		defaults[r.Email] = r.Password
	}
	shown := func(user, pass string) string {
		if defaults[user] == pass {
			return pass
		}
		return "(password from the environment)"
	}
	for _, a := range o.Agents {
		fmt.Fprintf(w, "  agent    %-24s %s  roles: %s\n", a.Username, shown(a.Username, a.Password), strings.Join(a.Roles, ", "))
	}
	for _, r := range o.Residents {
		fmt.Fprintf(w, "  resident %-24s %s\n", r.Email, shown(r.Email, r.Password))
	}
	if o.Control {
		fmt.Fprintf(w, "  test controls under %s/_sim/\n", url)
	}
}
