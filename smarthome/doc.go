// Package smarthome is a typed client of the Rently Smart Home API ("Rently Keyless") and the parser and
// verifier of its webhooks. It imports only the standard library.
//
// # Client
//
// NewClient builds a Client; options choose the host (WithBaseURL, default https://app2.keyless.rocks; the
// client adds /api/ itself), the login (WithAgentLogin for an integration agent, WithResidentLogin for a
// mobile-app resident, whose host WithAuthURL sets) and the HTTP behaviour (WithHTTPClient, WithUserAgent,
// WithRetry). One service per resource group hangs off the Client, go-github style:
//
//	c, err := smarthome.NewClient(smarthome.WithAgentLogin(user, pass))
//	hubs, resp, err := c.Hubs.List(ctx, &smarthome.ListOptions{SearchKey: "Maple"})
//	_, err = c.Devices.Command(ctx, lockID, smarthome.LockCommand(true))
//
// Every method takes a context first and returns (T, *Response, error) or (*Response, error). Response
// wraps the *http.Response and the paging fields of list envelopes. Each method's doc comment names its
// route and how sure we are of it: [DOC] the official docs, [CLIENT] public client code that talks to the
// live API, [FIXTURE] field names from test fixtures, [INF] our guess, fixed in smarthome/CONTRACT.md and
// served the same way by smarthome/simulator.
//
// # Errors, retries, tokens
//
// A non-2xx reply, or a 2xx reply with "success": false, is an *ErrorResponse; errors.Is maps it to
// ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrValidation, ErrConflict, ErrUnavailable or
// ErrRejected. Requests are validated before sending where the API's rules are known (lock codes, commands,
// activity queries, …); those errors match ErrValidation too. 429 replies are retried, 5xx replies only for
// GET, PUT, DELETE and HEAD, with capped exponential backoff and jitter, honouring Retry-After and the
// context. The login token is cached, renewed a minute before it expires, shared by concurrent callers
// (one login for all), and renewed once when a request meets a 401.
//
// Secrets stay out of logs: lock codes are of type PIN, which prints as asterisks; Token and
// CognitoCredentials mask themselves; error messages never carry passwords, tokens or PINs.
//
// # Webhooks
//
// ParseEvent decodes a delivery into an Event (keeping the raw bytes and any unknown field), Kind maps it to
// an EventKind through one table of the catalogue, and VerifySignature checks the Standard Webhooks signature
// the simulator adds when it has a secret (the real upstream signs nothing).
package smarthome
