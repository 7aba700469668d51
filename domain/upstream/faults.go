package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/keyless/dashboard/smarthome"
)

// FaultClass names how an upstream call failed without an answer. Pages, the sync status and the log all take it
// from Class, so "could not be reached" means the same thing everywhere.
type FaultClass string

const (
	// Unreachable: no connection was made (refused, no route, DNS, TLS handshake), so the request was never
	// sent and nothing can have changed upstream.
	Unreachable FaultClass = "unreachable"
	// Disconnected: the connection broke after the request went out and before an answer (reset, EOF): the
	// upstream may or may not have applied it.
	Disconnected FaultClass = "disconnected"
	// Timeout: no answer in time (our deadline or the client's timeout): it may or may not have arrived.
	Timeout FaultClass = "timeout"
)

// Class says whether err is an upstream call that got no answer, and how; "" for anything else (an answer, even a
// refusal, is not a fault of reachability). It reads the error's types, not its text, because the client reports
// transport failures as the net and tls packages made them.
func Class(err error) FaultClass {
	var apiErr *smarthome.ErrorResponse
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded): // before the answer check: a retry that ran out of time
		return Timeout
	case errors.As(err, &apiErr):
		return ""
	case errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	case errors.As(err, &dnsErr), isTLSFailure(err):
		return Unreachable
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return Unreachable
	case errors.As(err, &opErr), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Disconnected
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

// Fault is an upstream call that got no answer, named by the adapter method that made it.
type Fault struct {
	Op    string
	Class FaultClass
	Err   error
}

func (f *Fault) Error() string { return f.Op + ": " + f.Err.Error() }
func (f *Fault) Unwrap() error { return f.Err }

// fail is how every adapter method returns its error: a fault is named and noted in the request's fault log
// (faultlog.go); any other error, and nil, pass through unchanged.
func (u *API) fail(ctx context.Context, op string, err error) error {
	class := Class(err)
	if class == "" {
		return err
	}
	f := &Fault{Op: op, Class: class, Err: err}
	noteFault(ctx, f)
	return f
}
