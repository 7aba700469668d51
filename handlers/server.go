// Package handlers is the dashboard's HTTP surface: it parses requests, authorises them, calls the store or the
// upstream, and renders views. routes.go lists every route.
package handlers

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/fanout"
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/domain/metrics"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers/live"
)

// Options are the server settings that come from configuration.
type Options struct {
	WebhookSecrets []string // empty: every delivery is accepted, and the home page says so
	SecureCookies  bool
	TrustedProxies []netip.Prefix // peers whose X-Forwarded-For names the client; empty: the TCP peer is the client
	MetricsToken   string         // GET /metrics needs "Authorization: Bearer <it>"; empty: /metrics is a 404 here
	APIRate        apitoken.Rate  // the JSON API's limit per token; zero: apitoken.DefaultRate
}

// Deps are the server's collaborators, built once in cmd/web.
type Deps struct {
	Logger   *slog.Logger
	Store    *db.Store
	Sessions *Sessions
	Hasher   *auth.PasswordHasher
	Syncer   *mirror.Syncer
	Upstream *upstream.API       // the Smart Home API; changes go there first, then to the mirror
	Broker   *live.Broker        // live pushes to open pages, after the database commit
	Observed *observe.Observers  // what the webhook receiver learned, for features that wait on the hardware
	Codes    *access.Service     // lock codes; cmd/web runs its tracker. nil: read-only, codes in flight are not re-read
	Commands *commands.Tracker   // confirms or times out hardware command records; nil: they wait for the next start
	Stays    *stays.Service      // reservations, invitations, guest links, move-outs; nil: NewServer makes one
	Streams  fanout.StreamCloser // ends revoked sessions' live streams; nil: the Broker's (one instance)
	Receiver *ingest.Receiver    // the webhook pipeline (NewReceiver); nil: NewServer makes one that writes through
	Alerts   *alerts.Service     // alert records; cmd/web runs its checks. nil: NewServer makes one nobody runs
	Notify   *notify.Dispatcher  // alert notifications; cmd/web runs its sender. nil: NewServer makes one without mail
	Metrics  *metrics.Metrics    // GET /metrics and /readyz's login state; nil: NewServer makes one nobody feeds but the HTTP layer
}

// NewReceiver returns the webhook pipeline for d: told to d.Observed and pushed to d.Broker's pages. With journal,
// deliveries are acknowledged on the journal and the caller runs its projector (cmd/web does, as a leader job).
func NewReceiver(d Deps, opts Options, journal bool) *ingest.Receiver {
	return ingest.NewReceiver(ingest.Options{Store: d.Store, Logger: d.Logger, Observers: d.Observed,
		Publisher: newIngestPush(d), Secrets: opts.WebhookSecrets, Journal: journal})
}

// NewServer returns the root handler with all middleware applied.
func NewServer(d Deps, opts Options) http.Handler {
	if d.Broker != nil { // a revoked session or a changed person loses their live streams at once
		var streams fanout.StreamCloser = d.Broker
		if d.Streams != nil {
			streams = d.Streams
		}
		d.Sessions.auth.OnRevoke = streams.CloseSession
		d.Sessions.auth.OnRevokeUser = streams.CloseUser
	}
	if d.Observed == nil { // the alerts hear webhooks even in a server built by hand
		d.Observed = &observe.Observers{}
	}
	if d.Alerts == nil {
		d.Alerts = alerts.New(alerts.Config{Store: d.Store, Logger: d.Logger, Publisher: NewAlertPublisher(d)})
	}
	if d.Stays == nil { // harnesses that build Deps by hand
		d.Stays = stays.NewService(d.Logger, d.Store, d.Upstream, stays.Options{})
	}
	if d.Notify == nil { // harnesses that build Deps by hand: tests and resends go out from the request
		d.Notify = notify.NewDispatcher(d.Store, nil, notify.MailConfig{}, nil, notify.Options{Logger: d.Logger})
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
	if _, ok := d.Logger.Handler().(requestIDHandler); !ok { // every line logged with a request's context names it
		d.Logger = slog.New(LogHandler(d.Logger.Handler()))
	}
	instrument(d)
	mux := http.NewServeMux()
	addRoutes(mux, d, opts)
	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h) // cross-site form posts get 403; webhooks (no browser headers) pass
	h = securityHeaders(opts.SecureCookies, h)     // outside it, so its refusals carry the headers too
	h = logRequests(d.Logger, d.Metrics, h)        // sees CSRF rejections too; counts by the mux's pattern
	h = resolveClient(opts.TrustedProxies, h)      // before the log, which names the client
	h = recoverPanics(d.Logger, h)                 // a panic's page and log line carry the request id
	return withRequestID(h)                        // outermost
}
