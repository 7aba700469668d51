package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/keyless/dashboard/db"
)

// mailServer is a real SMTP server (go-smtp) on 127.0.0.1 offering STARTTLS with a certificate made here, and
// AUTH PLAIN only over TLS.
type mailServer struct {
	host   string
	port   int
	roots  *x509.CertPool
	mu     sync.Mutex
	got    []gotMail
	reject int // answer RCPT with this code when set
}

type gotMail struct {
	from string
	to   []string
	data []byte
	tls  bool
	user string
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	cert, roots := selfSigned(t)
	ms := &mailServer{roots: roots}
	srv := smtp.NewServer(ms)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ms.host = "127.0.0.1"
	ms.port = ln.Addr().(*net.TCPAddr).Port
	return ms
}

func (ms *mailServer) config() MailConfig {
	return MailConfig{Host: ms.host, Port: ms.port, Username: "alerts", Password: "s3cret", From: "Dashboard <alerts@keyless.example>",
		TLS: &tls.Config{RootCAs: ms.roots}}
}

func (ms *mailServer) mails() []gotMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]gotMail(nil), ms.got...)
}

func (ms *mailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{ms: ms, c: c}, nil
}

type mailSession struct {
	ms   *mailServer
	c    *smtp.Conn
	m    gotMail
	user string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "alerts" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.m.from = from; return nil }

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code := s.ms.reject; code != 0 {
		return &smtp.SMTPError{Code: code, Message: "mailbox unavailable"}
	}
	s.m.to = append(s.m.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.m.tls = s.c.TLSConnectionState()
	s.m.data, s.m.user = b, s.user
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, s.m)
	s.ms.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.m = gotMail{} }
func (s *mailSession) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestMailOverSTARTTLS sends an alert through a real SMTP server: STARTTLS, AUTH PLAIN, and a message whose
// headers and body name the property, device, condition and local time, with hostile text kept out of the headers
// and no PIN anywhere.
func TestMailOverSTARTTLS(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	ms := startMailServer(t)
	rule(t, s, db.NotifyRule{Name: "Leaks", Steps: []db.NotifyStep{{Emails: []string{"manager@example.com"}}}})
	d := NewDispatcher(s, c.Now, ms.config(), nil, Options{PublicURL: "https://dash.example/"})
	a := leak(11)
	a.DeviceName = "Kitchen\r\nBcc: victim@evil.example\r\n\r\nInjected body"
	a.PropertyName = "Żółta <b>Villa</b> 🏠"
	a.Detail = "water detected; lock code 482913 was set"
	d.Opened(t.Context(), a)
	d.SendDue(t.Context())

	mails := ms.mails()
	if len(mails) != 1 {
		n := notifications(t, s, 11)
		t.Fatalf("%d mails delivered; notifications %+v", len(mails), n)
	}
	m := mails[0]
	if !m.tls || m.user != "alerts" || m.from != "alerts@keyless.example" || len(m.to) != 1 || m.to[0] != "manager@example.com" {
		t.Fatalf("envelope: tls=%v user=%q from=%q to=%q", m.tls, m.user, m.from, m.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	for k := range msg.Header {
		switch k {
		case "Date", "Message-Id", "From", "To", "Subject", "Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted":
		default:
			t.Errorf("unexpected header %q: %q", k, msg.Header.Get(k))
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[Critical] Water leak at Żółta <b>Villa</b> 🏠: Kitchen  Bcc: victim@evil.example    Injected body"; subject != want {
		t.Errorf("Subject %q\nwant    %q", subject, want)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(t0) {
		t.Errorf("Date %q (%v)", msg.Header.Get("Date"), err)
	}
	n := notifications(t, s, 11)[0]
	if got, want := msg.Header.Get("Message-Id"), "<"+n.MessageID+"@keyless.example>"; got != want {
		t.Errorf("Message-ID %q, want %q", got, want)
	}
	if got := msg.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" || msg.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("Content-Type %q", got)
	}
	raw, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	for _, want := range []string{"Żółta <b>Villa</b> 🏠", "Device:", "dev-9", "Water leak — water detected",
		"Jan 12, 2027 10:04 AM EST (America/New_York)", "https://dash.example/alerts/11", "Rule \"Leaks\""} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(m.data), "482913") || strings.Contains(body, "482913") {
		t.Errorf("the PIN reached the mail:\n%s", body)
	}
	if n.State != db.NotifySent {
		t.Errorf("notification %s, want sent", n.State)
	}
}

// TestMailPermanentRefusal: a 5xx to RCPT fails the notification at once, with the reply recorded.
func TestMailPermanentRefusal(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	ms := startMailServer(t)
	ms.reject = 550
	rule(t, s, db.NotifyRule{Name: "Leaks", Steps: []db.NotifyStep{{Emails: []string{"nobody@example.com"}}}})
	d := NewDispatcher(s, c.Now, ms.config(), nil, Options{})
	d.Opened(t.Context(), leak(12))
	d.SendDue(t.Context())
	n := notifications(t, s, 12)[0]
	attempts, err := s.NotificationAttempts(t.Context(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.State != db.NotifyFailed || len(attempts) != 1 || attempts[0].StatusCode != 550 || !strings.Contains(attempts[0].Reply, "mailbox unavailable") {
		t.Fatalf("notification %s, attempts %+v", n.State, attempts)
	}
}

// TestMailWithoutTLSRefusesPassword: a server without STARTTLS gets no password unless it is this machine.
func TestMailWithoutTLSRefusesPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host string
		want bool
	}{{"127.0.0.1", true}, {"::1", true}, {"localhost", true}, {"mail.example.com", false}, {"10.0.0.5", false}} {
		if got := isLoopback(tc.host); got != tc.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestParseMailURL(t *testing.T) {
	t.Parallel()
	m, err := ParseMailURL("smtps://us%40er:p%3Ass@mail.example.com")
	if err != nil || m.Host != "mail.example.com" || m.Port != 465 || !m.ImplicitTLS || m.Username != "us@er" || m.Password != "p:ss" {
		t.Errorf("smtps: %+v %v", m, err)
	}
	m, err = ParseMailURL("smtp://mail.example.com:2525")
	if err != nil || m.Port != 2525 || m.ImplicitTLS || m.Username != "" {
		t.Errorf("smtp: %+v %v", m, err)
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:99999"} {
		if _, err := ParseMailURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	m.From = "Alerts\r\nBcc: x@y <a@b.example>"
	if err := m.Validate(); err == nil {
		t.Error("a MAIL_FROM with CR/LF was accepted")
	}
}
