package smarthome

import (
	"context"
	"errors"
)

// AgentsService handles the agent (integration) login.
type AgentsService service

// errNoAgentLogin is returned by Token when the client was not built WithAgentLogin.
var errNoAgentLogin = errors.New("smarthome: the client has no agent login (use WithAgentLogin)")

// Token logs in now and caches the new token, replacing any cached one; the client otherwise logs in by itself
// when a request needs a token. Use it to check credentials at start-up. Concurrent callers share one login.
//
// API: POST /api/agents [DOC D-login; path CLIENT C-factory]
func (s *AgentsService) Token(ctx context.Context) (*Token, *Response, error) {
	ts := s.client.auth
	if ts == nil || ts.kind != loginAgent {
		return nil, nil, errNoAgentLogin
	}
	ts.mu.Lock()
	if ts.flight == nil {
		ts.tok = nil // force a fresh login unless one is already running
	}
	ts.mu.Unlock()
	return ts.get(ctx)
}
