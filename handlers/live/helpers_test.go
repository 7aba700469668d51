package live

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Production-like server timeouts: the broker must survive the absolute WriteTimeout.
const (
	prodWriteTimeout      = 30 * time.Second
	prodReadHeaderTimeout = 30 * time.Second
	readWait              = 10 * time.Second // bound on any single test read
)

// harness serves a Broker the way handlers will: the test handler plays the authorising caller and builds the
// Subscriber from the query (user, session, prop), which the real handlers take from the session instead.
type harness struct {
	b      *Broker
	ts     *httptest.Server
	active atomic.Int64 // Serve calls in progress
}

type harnessConfig struct {
	opts         Options
	wrap         func(http.Handler) http.Handler // middleware around the route, like the access log
	writeTimeout time.Duration                   // server WriteTimeout; prodWriteTimeout when zero
	sendBuffer   int                             // SO_SNDBUF of accepted connections; 0 leaves the kernel default
}

// newHarness starts a broker behind an httptest server on 127.0.0.1. The caller closes it (close or t.Cleanup).
func newHarness(t testing.TB, cfg harnessConfig) *harness {
	t.Helper()
	h := &harness{b: New(nil, cfg.opts)}
	var handler http.Handler = http.HandlerFunc(h.serve)
	if cfg.wrap != nil {
		handler = cfg.wrap(handler)
	}
	h.ts = httptest.NewUnstartedServer(handler)
	h.ts.Config.WriteTimeout = prodWriteTimeout
	if cfg.writeTimeout > 0 {
		h.ts.Config.WriteTimeout = cfg.writeTimeout
	}
	h.ts.Config.ReadHeaderTimeout = prodReadHeaderTimeout
	if cfg.sendBuffer > 0 {
		h.ts.Listener = smallBufferListener{Listener: h.ts.Listener, size: cfg.sendBuffer}
	}
	h.ts.Start()
	return h
}

func (h *harness) serve(w http.ResponseWriter, r *http.Request) {
	h.active.Add(1)
	defer h.active.Add(-1)
	q := r.URL.Query()
	user, _ := strconv.ParseInt(q.Get("user"), 10, 64)
	prop, _ := strconv.ParseInt(q.Get("prop"), 10, 64)
	sub := Subscriber{UserID: user, SessionID: q.Get("session"), Match: func(ev Event) bool {
		return prop == 0 || ev.PropertyID == prop || ev.Kind == "all"
	}}
	if q.Has("nomatch") {
		sub.Match = nil
	}
	h.b.Serve(w, r, sub)
}

// close ends the broker first (the SSE handlers would otherwise keep httptest.Server.Close waiting), then the server.
func (h *harness) close() {
	h.b.Close()
	h.ts.Close()
}

func (h *harness) addr() string { return h.ts.Listener.Addr().String() }

// smallBufferListener shrinks the kernel send buffer of accepted connections, so that a client that stops reading
// blocks the server's writes after a few KB instead of after the megabytes loopback autotuning allows.
type smallBufferListener struct {
	net.Listener
	size int
}

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// sseClient is one EventSource over a raw TCP connection: no http.Transport, so no pooled goroutines outlive a test.
type sseClient struct {
	conn net.Conn
	resp *http.Response
	rd   *bufio.Reader
}

// dialSSE opens GET /events?query and reads the response headers. readBuffer > 0 shrinks SO_RCVBUF first.
func dialSSE(t testing.TB, addr, query string, header http.Header, readBuffer int) *sseClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, readWait)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if readBuffer > 0 {
		_ = conn.(*net.TCPConn).SetReadBuffer(readBuffer)
	}
	var req strings.Builder
	fmt.Fprintf(&req, "GET /events?%s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n", query, addr)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	req.WriteString("\r\n")
	_ = conn.SetDeadline(time.Now().Add(readWait))
	if _, err := io.WriteString(conn, req.String()); err != nil {
		conn.Close()
		t.Fatalf("write request: %v", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		t.Fatalf("read response: %v", err)
	}
	_ = conn.SetDeadline(time.Time{})
	return &sseClient{conn: conn, resp: resp, rd: bufio.NewReader(resp.Body)}
}

func (c *sseClient) close() { _ = c.conn.Close() }

// sseBlock is one blank-line-terminated block of the stream: an event, or comments only (a heartbeat).
type sseBlock struct {
	ID, Name, Data string
	HasData        bool
	Comments       []string
}

// nextBlock parses the next block per the SSE spec (fields split at the first colon, one leading space dropped).
func (c *sseClient) nextBlock(wait time.Duration) (sseBlock, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	var blk sseBlock
	var data []string
	seen := false
	for {
		line, err := c.rd.ReadString('\n')
		if err != nil {
			return blk, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if !seen {
				continue
			}
			blk.Data, blk.HasData = strings.Join(data, "\n"), len(data) > 0
			return blk, nil
		}
		seen = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			blk.Comments = append(blk.Comments, value)
		case "id":
			blk.ID = value
		case "event":
			blk.Name = value
		case "data":
			data = append(data, value)
		}
	}
}

// nextEvent skips heartbeats and returns the next event.
func (c *sseClient) nextEvent(t testing.TB) sseBlock {
	t.Helper()
	for {
		blk, err := c.nextBlock(readWait)
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		if blk.HasData {
			return blk
		}
	}
}

// expectEnd asserts that the server ends the stream (EOF or reset), as opposed to the read timing out.
func (c *sseClient) expectEnd(t testing.TB) {
	t.Helper()
	for {
		_, err := c.nextBlock(readWait)
		if err == nil {
			continue // events queued before the end may still arrive
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("stream still open after %v", readWait)
		}
		return
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
