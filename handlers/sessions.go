package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
)

// SessionOptions sets the cookie and the timeouts. Zero values take the defaults.
type SessionOptions struct {
	Secret   string        // at least 32 bytes; the cookie's HMAC and encryption keys are derived from it
	Secure   bool          // force Secure cookies (behind a TLS-terminating proxy); TLS requests get them anyway
	Idle     time.Duration // default 30 min without a request
	Absolute time.Duration // default 12 h after sign-in
	Now      func() time.Time
}

// Sessions signs people in and out over HTTP: the session cookie and the sign-in pages. The cookie holds only a
// random token; auth.Sessions decides which token names a live session.
type Sessions struct {
	auth    *auth.Sessions
	store   *db.Store
	logger  *slog.Logger
	plain   *sessions.CookieStore // over plain HTTP (local use)
	secure  *sessions.CookieStore // over TLS: Secure, __Host- prefix
	force   bool
	cookies cookieCache // the tokens of cookies already verified
}

const (
	plainCookie  = "sid"
	secureCookie = "__Host-sid"
	tokenKey     = "t"
)

// NewSessions builds the session manager.
func NewSessions(logger *slog.Logger, store *db.Store, opts SessionOptions) (*Sessions, error) {
	if len(opts.Secret) < 32 {
		return nil, errors.New("handlers: session secret must be at least 32 bytes")
	}
	s := &Sessions{store: store, logger: logger, force: opts.Secure,
		auth: auth.NewSessions(logger, store, auth.SessionOptions{Idle: opts.Idle, Absolute: opts.Absolute, Now: opts.Now})}
	hashKey, blockKey := auth.DeriveKey(opts.Secret, "cookie-hmac"), auth.DeriveKey(opts.Secret, "cookie-aes")
	for _, secure := range []bool{false, true} {
		cs := sessions.NewCookieStore(hashKey, blockKey[:32])
		cs.Options = &sessions.Options{Path: "/", MaxAge: int(s.auth.Absolute() / time.Second), HttpOnly: true,
			Secure: secure, SameSite: http.SameSiteLaxMode}
		cs.MaxAge(cs.Options.MaxAge)
		if secure {
			s.secure = cs
		} else {
			s.plain = cs
		}
	}
	return s, nil
}

func (s *Sessions) now() time.Time { return s.auth.Now() }

func (s *Sessions) cookieStore(r *http.Request) (*sessions.CookieStore, string) {
	if s.force || r.TLS != nil {
		return s.secure, secureCookie
	}
	return s.plain, plainCookie
}

// start creates a new session for u (a new id at every sign-in: no fixation) and sets the cookie.
func (s *Sessions) start(w http.ResponseWriter, r *http.Request, u db.User) error {
	token, err := s.auth.Start(r.Context(), u, clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	cs, name := s.cookieStore(r)
	sess := sessions.NewSession(cs, name)
	sess.Options = cs.Options
	sess.IsNew = true
	sess.Values[tokenKey] = token
	return sess.Save(r, w) // before any body write, or the cookie is lost
}

// end revokes the request's session and clears its cookie.
func (s *Sessions) end(w http.ResponseWriter, r *http.Request) error {
	if p := currentUser(r.Context()); p != nil {
		if err := s.auth.Revoke(r.Context(), p.sessionID); err != nil {
			return err
		}
	}
	cs, name := s.cookieStore(r)
	sess := sessions.NewSession(cs, name)
	opts := *cs.Options
	opts.MaxAge = -1
	sess.Options = &opts
	return sess.Save(r, w)
}

// load finds the signed-in person of r. A missing, forged, expired or revoked cookie means "signed out", never an error
// page; only a database failure is an error.
func (s *Sessions) load(r *http.Request) (*principal, error) {
	cs, name := s.cookieStore(r)
	cookie, err := r.Cookie(name)
	if err != nil {
		return nil, nil
	}
	now := s.now()
	token, known := s.cookies.get(cookie.Value, now)
	if !known {
		sess, err := cs.Get(r, name)
		if err != nil {
			return nil, nil
		}
		token, _ = sess.Values[tokenKey].(string)
		if token == "" {
			return nil, nil
		}
		s.cookies.put(cookie.Value, token, now)
	}
	session, user, err := s.auth.Lookup(r.Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &principal{user: user, sessionID: session.ID}, nil
}

// signedIn puts the person into the request context, or sends them to the login page.
func (s *Sessions) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.load(r)
		if err != nil {
			serveError(w, r, s.logger, err)
			return
		}
		if p == nil {
			next := r.URL.Path
			if r.Method != http.MethodGet || isHTMX(r) {
				next = "/"
			} else if r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			redirect(w, r, "/login?next="+url.QueryEscape(next))
			return
		}
		w.Header().Set("Cache-Control", "no-store") // signed-in pages never go into a shared or back/forward cache
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), p)))
	})
}

// principal is the signed-in person of a request.
type principal struct {
	user      db.User
	sessionID string
}

type userKey struct{}

func withUser(ctx context.Context, p *principal) context.Context {
	noteUser(ctx, p.user.ID)
	return context.WithValue(ctx, userKey{}, p)
}

// currentUser returns the signed-in person, or nil; never panics.
func currentUser(ctx context.Context) *principal {
	p, _ := ctx.Value(userKey{}).(*principal)
	return p
}

// clientIP is the client address resolveClient found: the TCP peer, or the X-Forwarded-For hop a trusted proxy
// vouches for (Options.TrustedProxies). Handlers reached without the middleware (tests) see the peer.
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return peerIP(r)
}
