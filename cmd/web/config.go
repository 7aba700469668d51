package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/domain/notify"
)

// Config is everything the dashboard reads from its environment, read once here and passed down.
type Config struct {
	Addr           string
	DatabasePath   string
	DatabaseURL    string // postgres://…: PostgreSQL instead of the SQLite file at DatabasePath
	AdminEmail     string
	AdminPassword  string
	SessionSecret  string
	WebhookSecrets []string // the first signs nothing here; all are accepted (rotation)
	APIURL         string
	APIUsername    string
	APIPassword    string
	SyncInterval   time.Duration
	SyncRate       float64        // upstream requests per second during a sync
	SecureCookies  bool           // force Secure cookies behind a TLS-terminating proxy
	TrustedProxies []netip.Prefix // peers whose X-Forwarded-For is believed (TRUSTED_PROXIES)
	LogLevel       slog.Level
	DemoUsers      bool // create the demo logins (one per role); on by default in demo mode
	CommandDelay   time.Duration
	BcryptCost     int
	CommandTimeout time.Duration // a command with no confirmation by then is failed
	SimLife        float64
	Mail           notify.MailConfig // SMTP_URL or SMTP_HOST/PORT/USER/PASSWORD, and MAIL_FROM
	PublicURL      string            // PUBLIC_URL: the dashboard's address in alert messages' links
	MetricsToken   string            // METRICS_TOKEN: GET /metrics on ADDR needs it as a bearer token; empty: 404
	MetricsAddr    string            // METRICS_ADDR: a listener of its own serving /metrics with no token; empty: none
}

// Demo reports whether no upstream is configured, so the embedded simulator stands in for it.
func (c Config) Demo() bool { return c.APIURL == "" }

func loadConfig(args []string, getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address (ADDR)")
	fs.StringVar(&c.DatabasePath, "db", env("DATABASE_PATH", "./data/dashboard.db"), "SQLite database file (DATABASE_PATH)")
	healthcheck := fs.String("healthcheck", "", "GET this URL and exit 0 on 200 (for container health checks)")
	secrets := env("WEBHOOK_SECRET", "")
	c.DatabaseURL = env("DATABASE_URL", "")
	c.AdminEmail = env("ADMIN_EMAIL", "")
	c.AdminPassword = getenv("ADMIN_PASSWORD")
	c.SessionSecret = getenv("SESSION_SECRET")
	c.APIURL = env("SMARTHOME_API_URL", "")
	c.APIUsername = env("SMARTHOME_USERNAME", "")
	c.APIPassword = getenv("SMARTHOME_PASSWORD")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if *healthcheck != "" {
		return c, &healthcheckRequest{url: *healthcheck}
	}
	for _, s := range strings.Split(secrets, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.WebhookSecrets = append(c.WebhookSecrets, s)
		}
	}
	var err error
	if c.SyncInterval, err = time.ParseDuration(env("SYNC_INTERVAL", "5m")); err != nil || c.SyncInterval < 10*time.Second {
		return c, fmt.Errorf("SYNC_INTERVAL must be a duration of at least 10s, got %q", getenv("SYNC_INTERVAL"))
	}
	if c.SyncRate, err = strconv.ParseFloat(env("SYNC_RATE", "20"), 64); err != nil || c.SyncRate <= 0 {
		return c, fmt.Errorf("SYNC_RATE must be a positive number of requests per second, got %q", getenv("SYNC_RATE"))
	}
	if c.CommandDelay, err = time.ParseDuration(env("SIM_COMMAND_DELAY", "2s")); err != nil || c.CommandDelay < 0 {
		return c, fmt.Errorf("SIM_COMMAND_DELAY must be a duration, got %q", getenv("SIM_COMMAND_DELAY"))
	}
	if c.CommandTimeout, err = time.ParseDuration(env("COMMAND_TIMEOUT", "60s")); err != nil || c.CommandTimeout < time.Second {
		return c, fmt.Errorf("COMMAND_TIMEOUT must be a duration of at least 1s, got %q", getenv("COMMAND_TIMEOUT"))
	}
	if c.SimLife, err = strconv.ParseFloat(env("SIM_LIFE", "0"), 64); err != nil || c.SimLife < 0 {
		return c, fmt.Errorf("SIM_LIFE must be a non-negative number of events per second, got %q", getenv("SIM_LIFE"))
	}
	if c.BcryptCost, err = strconv.Atoi(env("BCRYPT_COST", "12")); err != nil || c.BcryptCost < 4 || c.BcryptCost > 31 {
		return c, fmt.Errorf("BCRYPT_COST must be a whole number from 4 to 31, got %q", getenv("BCRYPT_COST"))
	}
	c.SecureCookies = env("COOKIE_SECURE", "") == "true"
	if c.TrustedProxies, err = parseProxies(getenv("TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	c.DemoUsers = c.Demo() && env("DEMO_USERS", "true") != "false"
	if c.Mail, err = loadMail(env, getenv); err != nil {
		return c, err
	}
	c.PublicURL = strings.TrimRight(env("PUBLIC_URL", ""), "/")
	c.MetricsToken, c.MetricsAddr = env("METRICS_TOKEN", ""), env("METRICS_ADDR", "")
	return c, c.validate()
}

func (c Config) validate() error {
	set := 0
	for _, v := range []string{c.APIURL, c.APIUsername, c.APIPassword} {
		if v != "" {
			set++
		}
	}
	var errs []error
	if set != 0 && set != 3 {
		errs = append(errs, errors.New("set all three of SMARTHOME_API_URL, SMARTHOME_USERNAME and SMARTHOME_PASSWORD, or none (embedded simulator)"))
	}
	if c.APIURL != "" && !strings.HasPrefix(c.APIURL, "http://") && !strings.HasPrefix(c.APIURL, "https://") {
		errs = append(errs, fmt.Errorf("SMARTHOME_API_URL must start with http:// or https://, got %q", c.APIURL))
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither"))
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		errs = append(errs, errors.New("SESSION_SECRET must be at least 32 characters"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("PUBLIC_URL must be the dashboard's address, like https://dashboard.example.com, got %q", c.PublicURL))
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		errs = append(errs, fmt.Errorf("METRICS_TOKEN must be at least %d characters", minMetricsToken))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") { // :0 picks a free port each
		errs = append(errs, errors.New("METRICS_ADDR must differ from ADDR (it serves /metrics without a token)"))
	}
	if err := c.Mail.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.DatabasePath == "" {
		errs = append(errs, errors.New("DATABASE_PATH must not be empty"))
	}
	if c.DatabaseURL != "" {
		if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
			errs = append(errs, errors.New("DATABASE_URL must start with postgres:// or postgresql://"))
		}
		// Every instance must sign cookies with the same key, or a session made on one is refused by the others.
		if c.SessionSecret == "" {
			errs = append(errs, errors.New("DATABASE_URL is set: set SESSION_SECRET too (the same on every instance)"))
		}
	}
	return errors.Join(errs...)
}

// loadMail reads the SMTP server: SMTP_URL, or SMTP_HOST with SMTP_PORT (587), SMTP_USER and SMTP_PASSWORD (not
// both ways at once), and MAIL_FROM. Neither set: email is off, and the notifications page says so.
func loadMail(env func(name, def string) string, getenv func(string) string) (notify.MailConfig, error) {
	var m notify.MailConfig
	raw, host := env("SMTP_URL", ""), env("SMTP_HOST", "")
	switch {
	case raw != "" && host != "":
		return m, errors.New("set SMTP_URL or SMTP_HOST, not both")
	case raw != "":
		var err error
		if m, err = notify.ParseMailURL(raw); err != nil {
			return m, err
		}
	case host != "":
		port, err := strconv.Atoi(env("SMTP_PORT", "587"))
		if err != nil {
			return m, fmt.Errorf("SMTP_PORT must be a port number, got %q", getenv("SMTP_PORT"))
		}
		m = notify.MailConfig{Host: host, Port: port, Username: env("SMTP_USER", ""), Password: getenv("SMTP_PASSWORD"),
			ImplicitTLS: port == 465}
	}
	m.From = env("MAIL_FROM", "")
	return m, nil
}

// parseProxies reads TRUSTED_PROXIES: comma-separated CIDR ranges, or single addresses (a /32 or /128). One bad
// entry fails the start: a typo that silently trusted nobody (or everybody) would be found only in the audit log.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR range such as 10.0.0.0/8 or fd00::/8", s)
			}
			if p.Addr().Is4In6() { // ::ffff:10.0.0.0/104 would never match: peers are compared unmapped
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an IP address or CIDR range", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// minMetricsToken is the shortest METRICS_TOKEN accepted: a guessable token would publish the metrics.
const minMetricsToken = 16

// healthcheckRequest is returned by loadConfig when the binary runs as its own container health check.
type healthcheckRequest struct{ url string }

func (h *healthcheckRequest) Error() string { return "healthcheck " + h.url }
