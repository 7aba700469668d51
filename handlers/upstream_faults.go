package handlers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/keyless/dashboard/smarthome"
)

// faultClass names how an upstream call failed without an answer. Pages, the sync status and the log all take it
// from upstreamFaultClass, so "could not be reached" means the same thing everywhere.
type faultClass string

const (
	// faultUnreachable: no connection was made (refused, no route, DNS, TLS handshake), so the request was never
	// sent and nothing can have changed upstream.
	faultUnreachable faultClass = "unreachable"
	// faultDisconnected: the connection broke after the request went out and before an answer (reset, EOF): the
	// upstream may or may not have applied it.
	faultDisconnected faultClass = "disconnected"
	// faultTimeout: no answer in time (our deadline or the client's timeout): it may or may not have arrived.
	faultTimeout faultClass = "timeout"
)

// upstreamFaultClass says whether err is an upstream call that got no answer, and how; "" for anything else (an
// answer, even a refusal, is not a fault of reachability). It reads the error's types, not its text, because the
// client reports transport failures as the net and tls packages made them.
func upstreamFaultClass(err error) faultClass {
	var apiErr *smarthome.ErrorResponse
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded): // before the answer check: a retry that ran out of time
		return faultTimeout
	case errors.As(err, &apiErr):
		return ""
	case errors.As(err, &netErr) && netErr.Timeout():
		return faultTimeout
	case errors.As(err, &dnsErr), isTLSFailure(err):
		return faultUnreachable
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return faultUnreachable
	case errors.As(err, &opErr), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return faultDisconnected
	}
	return ""
}

// isTLSFailure reports a failed handshake: a certificate we do not trust, or the server speaking no (or bad) TLS.
func isTLSFailure(err error) bool {
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var alert tls.AlertError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &authority) || errors.As(err, &host) || errors.As(err, &invalid)
}

// faultAdvice is what to do when a fault keeps happening: the two things an administrator can check.
const faultAdvice = " If this keeps happening, check the Smart Home service's status and the dashboard's " +
	"SMARTHOME_API_URL setting."

// faultAnswer is the status and the message a person gets for a fault: what failed, what it means for the change,
// and what to do. A timeout is 504 and says the change may still happen, since the request may have arrived.
func faultAnswer(c faultClass) (int, string) {
	switch c {
	case faultTimeout:
		return http.StatusGatewayTimeout, "The Smart Home service could not be reached in time: it did not answer in " +
			"time. The request may not have reached it, or it may still be carried out, so check before trying again " +
			"in a minute." + faultAdvice
	case faultDisconnected:
		return http.StatusBadGateway, "The Smart Home service could not be reached: the connection broke before it " +
			"answered. The request may not have reached it, or it may still be carried out, so check before trying " +
			"again in a minute." + faultAdvice
	}
	return http.StatusBadGateway, "The Smart Home service could not be reached. Nothing was changed: the request " +
		"never got to it. Try again in a minute." + faultAdvice
}

// faultSyncText is the same classification in the words of the sync status ("Last sync failed: …").
func faultSyncText(c faultClass) string {
	switch c {
	case faultTimeout:
		return "the Smart Home service did not answer in time"
	case faultDisconnected:
		return "the connection to the Smart Home service broke before it answered"
	}
	return "the Smart Home service could not be reached"
}

// upstreamFault is an upstream call that got no answer, named by the adapter method that made it.
type upstreamFault struct {
	op    string
	class faultClass
	err   error
}

func (f *upstreamFault) Error() string { return f.op + ": " + f.err.Error() }
func (f *upstreamFault) Unwrap() error { return f.err }

// fail is how every adapter method returns its error: a fault is named and noted for the request's log line
// (upstream_faultlog.go); any other error, and nil, pass through unchanged.
func (u *Upstream) fail(ctx context.Context, op string, err error) error {
	class := upstreamFaultClass(err)
	if class == "" {
		return err
	}
	f := &upstreamFault{op: op, class: class, err: err}
	noteFault(ctx, f)
	return f
}
