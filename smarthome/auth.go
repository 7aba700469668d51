package smarthome

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// defaultTokenLifetime is assumed when a login reply states no lifetime (Doorkeeper's default is 2 h); a
	// shorter real lifetime is caught by the re-login on 401.
	defaultTokenLifetime = 2 * time.Hour
	// refreshMargin is how long before expiry a token is replaced, so a request never leaves with a token
	// about to lapse in flight.
	refreshMargin = 60 * time.Second
)

// Token is an access token and what the client knows of its lifetime. Its String and LogValue mask the secrets.
type Token struct {
	AccessToken  string
	TokenType    string // "Bearer" for agent tokens; empty for resident JWTs
	RefreshToken string // resident logins only
	Expiry       time.Time

	bearer    bool      // agent tokens go out as "Bearer <t>", resident JWTs raw, as the mobile app sends them
	refreshAt time.Time // Expiry minus the refresh margin
}

// String masks the token.
func (t *Token) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("Token(%s, expires %s)", cmp.Or(t.TokenType, "raw"), t.Expiry.Format(time.RFC3339))
}

// GoString masks the token for %#v too.
func (t *Token) GoString() string { return t.String() }

// LogValue masks the token in log/slog output.
func (t *Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

func (t *Token) header() string {
	if t.bearer {
		return "Bearer " + t.AccessToken
	}
	return t.AccessToken
}

// tokenSource caches the login token and makes concurrent callers share one login: the first caller that finds
// the token stale runs the login, the others wait for its result.
type tokenSource struct {
	c        *Client
	kind     loginKind
	user     string
	password string

	mu      sync.Mutex
	tok     *Token
	refresh string  // last refresh token seen; survives invalidate so a 401 can try the cheaper refresh first
	flight  *flight // the login in progress, if any
}

// flight is one login shared by every caller that arrived while it ran.
type flight struct {
	done chan struct{}
	tok  *Token
	resp *Response
	err  error
}

// token returns a valid token, logging in (once, shared) when there is none or it is about to expire.
func (ts *tokenSource) token(ctx context.Context) (*Token, error) {
	tok, _, err := ts.get(ctx)
	return tok, err
}

func (ts *tokenSource) get(ctx context.Context) (*Token, *Response, error) {
	for {
		ts.mu.Lock()
		if ts.tok != nil && ts.c.now().Before(ts.tok.refreshAt) {
			tok := ts.tok
			ts.mu.Unlock()
			return tok, nil, nil
		}
		if f := ts.flight; f != nil {
			ts.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
			// The leader's own context ended its login; this caller's context is still live, so try again.
			if f.err != nil && ctx.Err() == nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
				continue
			}
			return f.tok, f.resp, f.err
		}
		f := &flight{done: make(chan struct{})}
		ts.flight = f
		refresh := ts.refresh
		ts.mu.Unlock()

		f.tok, f.resp, f.err = ts.fetch(ctx, refresh)
		if h := ts.c.onLogin; h != nil && !errors.Is(f.err, context.Canceled) && !errors.Is(f.err, context.DeadlineExceeded) {
			h(f.err)
		}
		ts.mu.Lock()
		if f.err == nil {
			ts.tok = f.tok
			if f.tok.RefreshToken != "" {
				ts.refresh = f.tok.RefreshToken
			}
		}
		ts.flight = nil
		ts.mu.Unlock()
		close(f.done)
		return f.tok, f.resp, f.err
	}
}

// invalidate drops used (the token a request was refused with) unless another caller already replaced it.
func (ts *tokenSource) invalidate(used *Token) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if used == nil || ts.tok == used {
		ts.tok = nil
	}
}

// secrets lists the strings that must never appear in an error message.
func (ts *tokenSource) secrets() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s := []string{ts.password, ts.refresh}
	if ts.tok != nil {
		s = append(s, ts.tok.AccessToken)
	}
	return s
}

// fetch obtains a new token: a resident refresh when a refresh token is known, falling back to a full login.
func (ts *tokenSource) fetch(ctx context.Context, refresh string) (*Token, *Response, error) {
	if ts.kind == loginResident && refresh != "" {
		if tok, resp, err := ts.residentRefresh(ctx, refresh); err == nil {
			return tok, resp, nil
		}
	}
	var (
		tok  *Token
		resp *Response
		err  error
	)
	if ts.kind == loginAgent {
		tok, resp, err = ts.agentLogin(ctx)
	} else {
		tok, resp, err = ts.residentLogin(ctx)
	}
	return tok, resp, scrub(err, ts.password)
}

// loginReply is the union of the agent (Doorkeeper) and resident login replies.
type loginReply struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    FlexInt `json:"expires_in"`
}

// agentLogin runs POST /api/agents [DOC D-login, CLIENT C-factory].
func (ts *tokenSource) agentLogin(ctx context.Context) (*Token, *Response, error) {
	body := map[string]string{"username": ts.user, "password": ts.password, "grant_type": "password"}
	reply, resp, err := ts.post(ctx, ts.c.base, "agents", body)
	if err != nil {
		return nil, resp, fmt.Errorf("smarthome: agent login: %w", err)
	}
	tok := &Token{AccessToken: reply.AccessToken, TokenType: cmp.Or(reply.TokenType, "Bearer"), RefreshToken: reply.RefreshToken, bearer: true}
	ts.setExpiry(tok, time.Duration(reply.ExpiresIn)*time.Second, time.Time{})
	return tok, resp, nil
}

// residentLogin runs POST {auth}/oauth/token [CLIENT C-openly, C-hb-lock].
func (ts *tokenSource) residentLogin(ctx context.Context) (*Token, *Response, error) {
	body := map[string]string{"email": ts.user, "password": ts.password}
	reply, resp, err := ts.post(ctx, ts.c.authBase, "oauth/token", body)
	if err != nil {
		return nil, resp, loginError("resident login", err)
	}
	return ts.residentToken(reply), resp, nil
}

// residentRefresh runs POST {auth}/api/refreshtoken [CLIENT C-openly].
func (ts *tokenSource) residentRefresh(ctx context.Context, refresh string) (*Token, *Response, error) {
	reply, resp, err := ts.post(ctx, ts.c.authBase, "api/refreshtoken", map[string]string{"refreshtoken": refresh})
	if err != nil {
		return nil, resp, loginError("resident token refresh", err)
	}
	if reply.RefreshToken == "" {
		reply.RefreshToken = refresh
	}
	return ts.residentToken(reply), resp, nil
}

func (ts *tokenSource) residentToken(reply loginReply) *Token {
	tok := &Token{AccessToken: reply.AccessToken, RefreshToken: reply.RefreshToken}
	ts.setExpiry(tok, time.Duration(reply.ExpiresIn)*time.Second, jwtExpiry(reply.AccessToken))
	return tok
}

// loginError marks a login the server refused with a 2xx "success": false (the resident host answers a wrong
// password with HTTP 200) as ErrUnauthorized as well.
func loginError(what string, err error) error {
	if errors.Is(err, ErrRejected) {
		return fmt.Errorf("smarthome: %s: %w: %w", what, ErrUnauthorized, err)
	}
	return fmt.Errorf("smarthome: %s: %w", what, err)
}

// post sends an unauthenticated login request (with the usual 429 retries) and decodes its token.
func (ts *tokenSource) post(ctx context.Context, root *url.URL, p string, body map[string]string) (loginReply, *Response, error) {
	var reply loginReply
	req, err := ts.c.newRequestAt(ctx, root, http.MethodPost, p, body)
	if err != nil {
		return reply, nil, err
	}
	resp, raw, err := ts.c.roundTrip(req, false)
	if err != nil {
		return reply, resp, err
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return reply, resp, fmt.Errorf("decoding token reply: %w", err)
	}
	if reply.AccessToken == "" {
		return reply, resp, errors.New("the reply carries no access_token")
	}
	return reply, resp, nil
}

// setExpiry fixes the expiry: the JWT's exp when known, else expires_in, else the 2 h assumption.
func (ts *tokenSource) setExpiry(tok *Token, expiresIn time.Duration, exp time.Time) {
	now := ts.c.now()
	switch {
	case !exp.IsZero():
		tok.Expiry = exp
	case expiresIn > 0:
		tok.Expiry = now.Add(expiresIn)
	default:
		tok.Expiry = now.Add(defaultTokenLifetime)
	}
	margin := min(refreshMargin, tok.Expiry.Sub(now)/2)
	tok.refreshAt = tok.Expiry.Add(-max(margin, 0))
}

// jwtExpiry reads the exp claim of a JWT without verifying it (the client only needs to know when to refresh).
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return time.Time{}
	}
	secs, err := claims.Exp.Float64()
	if err != nil || secs <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}
