package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MailConfig is the SMTP server notifications are mailed through (SMTP_URL, or SMTP_HOST, SMTP_PORT, SMTP_USER,
// SMTP_PASSWORD) and the sender address (MAIL_FROM).
//
// Sending uses the standard library's net/smtp rather than go-smtp's client: it covers what submission needs
// (EHLO, STARTTLS, AUTH PLAIN, one message), adds no dependency to the binary, and its PlainAuth already refuses
// to send a password over an unencrypted connection to anything but localhost, the rule we want. go-smtp stays
// a test dependency (the real server the tests deliver to).
type MailConfig struct {
	Host        string
	Port        int
	Username    string
	Password    string
	ImplicitTLS bool        // smtps://: TLS from the first byte (port 465); otherwise STARTTLS when offered
	From        string      // MAIL_FROM, an address as net/mail parses it
	TLS         *tls.Config // nil: the system's roots, checked against Host; tests pass their own CA
	HelloName   string      // EHLO name; "" is "localhost"
}

// Enabled reports whether a server is configured.
func (m MailConfig) Enabled() bool { return m.Host != "" }

// ParseMailURL reads SMTP_URL: smtp://user:pass@host:port (STARTTLS when offered, default port 587) or
// smtps://user:pass@host:port (TLS from the start, default port 465). The user and password are URL-decoded.
func ParseMailURL(raw string) (MailConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return MailConfig{}, errors.New("SMTP_URL is not a URL like smtp://user:pass@mail.example.com:587")
	}
	var m MailConfig
	switch u.Scheme {
	case "smtp":
		m.Port = 587
	case "smtps":
		m.Port, m.ImplicitTLS = 465, true
	default:
		return MailConfig{}, fmt.Errorf("SMTP_URL must start with smtp:// or smtps://, got %q", u.Scheme+"://")
	}
	m.Host = u.Hostname()
	if m.Host == "" {
		return MailConfig{}, errors.New("SMTP_URL has no host")
	}
	if p := u.Port(); p != "" {
		if m.Port, err = strconv.Atoi(p); err != nil || m.Port < 1 || m.Port > 65535 {
			return MailConfig{}, fmt.Errorf("SMTP_URL has a bad port %q", p)
		}
	}
	if u.User != nil {
		m.Username = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	return m, nil
}

// Validate checks a configured server's fields and MAIL_FROM.
func (m MailConfig) Validate() error {
	if !m.Enabled() {
		return nil
	}
	if m.Port < 1 || m.Port > 65535 {
		return fmt.Errorf("SMTP_PORT must be 1–65535, got %d", m.Port)
	}
	if (m.Username == "") != (m.Password == "") {
		return errors.New("set both SMTP_USER and SMTP_PASSWORD (or both in SMTP_URL), or neither")
	}
	if m.From == "" {
		return errors.New("MAIL_FROM is required when an SMTP server is set")
	}
	a, err := mail.ParseAddress(m.From)
	if err != nil || strings.ContainsAny(m.From, "\r\n") || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("MAIL_FROM is not an address like alerts@example.com or \"Alerts <alerts@example.com>\", got %q", m.From)
	}
	return nil
}

// isLoopback reports whether host is this machine by name or address: the one place a password may go unencrypted.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// smtpError is an attempt's failure with the server's reply, if one came.
type smtpError struct {
	code      int
	msg       string
	err       error
	permanent bool // a 5xx reply: trying again would get the same answer
}

func (e *smtpError) Error() string { return e.err.Error() }

// sendMail delivers msg to one recipient in one SMTP session, bounded by ctx and MailTimeout.
func (m MailConfig) sendMail(ctx context.Context, from, to string, msg []byte) error {
	if !m.Enabled() {
		return &smtpError{err: errors.New("email is not configured: set SMTP_URL (or SMTP_HOST) and MAIL_FROM")}
	}
	ctx, cancel := context.WithTimeout(ctx, MailTimeout)
	defer cancel()
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	tlsConf := m.TLS.Clone()
	if tlsConf == nil {
		tlsConf = &tls.Config{}
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = m.Host
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if m.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &smtpError{err: fmt.Errorf("connect to %s: %w", addr, err)}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // the deadline covers I/O; this covers a cancel
	defer stop()

	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		return replyErr("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(cmp.Or(m.HelloName, "localhost")); err != nil {
		return replyErr("EHLO", err)
	}
	secure := m.ImplicitTLS
	if !secure {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return replyErr("STARTTLS", err)
			}
			secure = true
		}
	}
	if m.Username != "" {
		if !secure && !isLoopback(m.Host) {
			return &smtpError{permanent: true, err: fmt.Errorf("refusing to send the SMTP password to %s in plain text: "+
				"the server offers no STARTTLS (use smtps:// or a server with STARTTLS)", m.Host)}
		}
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return replyErr("AUTH", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return replyErr("MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return replyErr("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return replyErr("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return replyErr("message", err)
	}
	if err := w.Close(); err != nil {
		return replyErr("end of message", err)
	}
	_ = c.Quit() // the message is accepted; a failed goodbye changes nothing
	return nil
}

// replyErr keeps the server's reply code and text from a net/smtp error.
func replyErr(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &smtpError{code: te.Code, msg: te.Msg, permanent: te.Code >= 500,
			err: fmt.Errorf("%s: the server answered %d %s", step, te.Code, te.Msg)}
	}
	return &smtpError{err: fmt.Errorf("%s: %w", step, err)}
}

// buildMail renders one message with its headers. Every header value is one clean line (cleanLine removed CR,
// LF and other controls) and non-ASCII text is RFC 2047-encoded; the body is UTF-8, quoted-printable, so long
// lines and any byte survive every relay.
func buildMail(from, to, subject, body, messageID string, date time.Time) []byte {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil { // validated at start; a plain address is the fallback
		fromAddr = &mail.Address{Address: cleanLine(from)}
	}
	domain := "localhost"
	if _, d, ok := strings.Cut(fromAddr.Address, "@"); ok && d != "" {
		domain = cleanLine(d)
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+messageID+"@"+domain+">")
	header("From", fromAddr.String())
	header("To", (&mail.Address{Address: cleanLine(to)}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", cleanLine(subject)))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

// envelopeFrom is MAIL_FROM's bare address, for MAIL FROM.
func envelopeFrom(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return a.Address
	}
	return cleanLine(from)
}
