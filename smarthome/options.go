package smarthome

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults used by NewClient.
const (
	// DefaultBaseURL is the production smart-home host (reference §2).
	DefaultBaseURL = "https://app2.keyless.rocks"
	// DefaultUserAgent identifies this client; WithUserAgent overrides it.
	DefaultUserAgent = "keyless-dashboard-smarthome/1"
	// DefaultMaxRetries, DefaultBaseDelay and DefaultMaxDelay shape the retry of 429 and idempotent 5xx replies.
	DefaultMaxRetries = 3
	DefaultBaseDelay  = 500 * time.Millisecond
	DefaultMaxDelay   = 10 * time.Second
	// DefaultTimeout bounds one HTTP exchange when the caller does not supply an *http.Client.
	DefaultTimeout = 30 * time.Second
)

// Option configures a Client in NewClient.
type Option func(*settings) error

type loginKind int

const (
	loginNone loginKind = iota
	loginAgent
	loginResident
)

// settings collects the options before NewClient validates and applies them.
type settings struct {
	base      string
	auth      string
	kind      loginKind
	user      string
	password  string
	hc        *http.Client
	userAgent string
	retry     retryPolicy
	onCall    func(Call)  // WithCallHook
	onLogin   func(error) // WithLoginHook
}

// WithBaseURL sets the upstream root, e.g. "https://app2.keyless.rocks"; the client adds "/api/" itself. A root
// that already ends in "/api" is used as the API root as it is.
func WithBaseURL(root string) Option {
	return func(s *settings) error { s.base = root; return nil }
}

// WithAuthURL sets the resident-login host (production: "https://remotapp.rently.com"); it defaults to the base
// URL, which is where the simulator serves it.
func WithAuthURL(root string) Option {
	return func(s *settings) error { s.auth = root; return nil }
}

// WithAgentLogin makes the client log in as an integration agent: POST /api/agents, then "Bearer <token>".
func WithAgentLogin(username, password string) Option {
	return func(s *settings) error { return s.setLogin(loginAgent, username, password) }
}

// WithResidentLogin makes the client log in as a mobile-app resident: POST {auth}/oauth/token, then the raw JWT
// in Authorization, as the app does.
func WithResidentLogin(email, password string) Option {
	return func(s *settings) error { return s.setLogin(loginResident, email, password) }
}

func (s *settings) setLogin(kind loginKind, user, password string) error {
	if s.kind != loginNone {
		return errors.New("smarthome: choose one of WithAgentLogin and WithResidentLogin")
	}
	if user == "" || password == "" {
		return errors.New("smarthome: login needs a user name and a password")
	}
	s.kind, s.user, s.password = kind, user, password
	return nil
}

// WithHTTPClient sets the *http.Client used for every request (timeouts, proxies, test transports).
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("smarthome: nil *http.Client")
		}
		s.hc = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if strings.ContainsAny(ua, "\r\n") {
			return errors.New("smarthome: user agent must be one line")
		}
		s.userAgent = ua
		return nil
	}
}

// WithRetry shapes the retries of 429 replies (any method) and 5xx replies or transport errors (GET, PUT, DELETE,
// HEAD only): up to maxRetries more attempts, waiting baseDelay·2ⁿ with jitter, capped at maxDelay, or the
// server's Retry-After. maxRetries 0 disables retries.
func WithRetry(maxRetries int, baseDelay, maxDelay time.Duration) Option {
	return func(s *settings) error {
		if maxRetries < 0 || baseDelay <= 0 || maxDelay < baseDelay {
			return fmt.Errorf("smarthome: bad retry policy (%d, %v, %v)", maxRetries, baseDelay, maxDelay)
		}
		s.retry = retryPolicy{max: maxRetries, base: baseDelay, cap: maxDelay}
		return nil
	}
}

// parseRoot turns an upstream root into the URL requests are resolved against, always ending in "/". With
// api set, "/api/" is appended unless the root already ends in "/api".
func parseRoot(root string, api bool) (*url.URL, error) {
	u, err := url.Parse(root)
	if err != nil {
		return nil, fmt.Errorf("smarthome: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("smarthome: base URL %q: want http(s)://host", root)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("smarthome: base URL %q: no query, fragment or user info allowed", u.Redacted())
	}
	p := strings.TrimSuffix(u.Path, "/")
	if api && !strings.HasSuffix(p, "/api") {
		p += "/api"
	}
	u.Path, u.RawPath = p+"/", ""
	return u, nil
}
