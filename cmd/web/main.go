// Command web serves the Smart Home dashboard. With no upstream configured it starts the embedded simulator with a
// demo portfolio and prints one demo login per role.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/keyless/dashboard/handlers"
	"github.com/keyless/dashboard/static"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := loadConfig(args, getenv)
	var hc *healthcheckRequest
	if errors.As(err, &hc) {
		return healthcheck(ctx, hc.url)
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if m := static.Missing(); len(m) > 0 {
		return fmt.Errorf("built without %s: run `make assets` (or `make run`), which copies them from npm, then build again",
			strings.Join(m, ", "))
	}
	// Every line logged with a request's context carries its request_id (handlers.LogHandler).
	logger := slog.New(handlers.LogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))

	app, err := start(ctx, cfg, logger, stdout)
	if err != nil {
		return err
	}
	defer app.close()

	errc := make(chan error, 2)
	go func() { errc <- app.srv.Serve(app.ln) }()
	logger.Info("listening", slog.String("addr", app.ln.Addr().String()), slog.Bool("demo", cfg.Demo()))
	if app.metricsLn != nil {
		go func() { errc <- app.metricsSrv.Serve(app.metricsLn) }()
		logger.Info("metrics listening", slog.String("addr", app.metricsLn.Addr().String()))
	}

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	app.beforeShutdown()
	if app.metricsSrv != nil {
		_ = app.metricsSrv.Shutdown(shutdown) // scrapes are short; the main server's error is the one to report
	}
	if err := app.srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// healthcheck lets a shell-less container image probe itself: exit 0 only on a 200 from url.
func healthcheck(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", resp.Status)
	}
	return nil
}

// sessionSecret returns the configured secret, or one kept in a file beside the database so that a restart does not
// sign everyone out.
func sessionSecret(cfg Config) (string, error) {
	if cfg.SessionSecret != "" {
		return cfg.SessionSecret, nil
	}
	path := filepath.Join(filepath.Dir(cfg.DatabasePath), "session.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	secret, err := randomHex(32)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// loopbackURL turns a listener address into a URL the embedded simulator can reach.
func loopbackURL(addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	return "http://127.0.0.1:" + port
}
