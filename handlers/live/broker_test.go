package live

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestPublishWireFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ev       Event
		wantID   string
		wantName string
		wantData string
	}{
		{
			name:     "activity with multi-line fragment",
			ev:       Event{ID: 42, Name: "activity", Data: []byte("<tr id=\"a-42\">\n  <td>Front door unlocked</td>\n</tr>")},
			wantID:   "42",
			wantName: "activity",
			wantData: "<tr id=\"a-42\">\n  <td>Front door unlocked</td>\n</tr>",
		},
		{
			name:     "CRLF and CR become LF",
			ev:       Event{ID: 7, Name: "device", Data: []byte("a\r\nb\rc")},
			wantID:   "7",
			wantName: "device",
			wantData: "a\nb\nc",
		},
		{
			name:     "non-activity event gets the broker sequence",
			ev:       Event{Name: "sync", Data: []byte("<p>synced</p>")},
			wantID:   "1",
			wantName: "sync",
			wantData: "<p>synced</p>",
		},
		{
			name:     "unnamed event keeps a trailing newline",
			ev:       Event{ID: 9, Data: []byte("x\n")},
			wantID:   "9",
			wantName: "",
			wantData: "x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessConfig{})
			defer h.close()
			c := dialSSE(t, h.addr(), "user=1&session=s", nil, 0)
			defer c.close()
			if got, want := c.resp.StatusCode, http.StatusOK; got != want {
				t.Fatalf("status = %d, want %d", got, want)
			}
			for k, want := range map[string]string{"Content-Type": "text/event-stream", "X-Accel-Buffering": "no", "Cache-Control": "no-cache"} {
				if got := c.resp.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if delivered, dropped := h.b.Publish(tt.ev); delivered != 1 || dropped != 0 {
				t.Fatalf("Publish = (%d, %d), want (1, 0)", delivered, dropped)
			}
			got := c.nextEvent(t)
			if got.ID != tt.wantID || got.Name != tt.wantName || got.Data != tt.wantData {
				t.Errorf("got id=%q event=%q data=%q, want id=%q event=%q data=%q",
					got.ID, got.Name, got.Data, tt.wantID, tt.wantName, tt.wantData)
			}
		})
	}
}

func TestEventIDsNeverEmpty(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{})
	defer h.close()
	c := dialSSE(t, h.addr(), "user=1", nil, 0)
	defer c.close()
	for _, id := range []int64{0, 7, 0, 0} {
		h.b.Publish(Event{ID: id, Name: "x", Data: []byte("d")})
	}
	var got []string
	for range 4 {
		got = append(got, c.nextEvent(t).ID)
	}
	if want := []string{"1", "7", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
}

func TestPublishRefusesEventsThatWouldBreakStreams(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{})
	defer h.close()
	c := dialSSE(t, h.addr(), "user=1", nil, 0)
	defer c.close()
	tests := []struct {
		name string
		ev   Event
	}{
		{name: "empty data ends an r3labs stream", ev: Event{ID: 1, Name: "x"}},
		{name: "newline in name injects fields", ev: Event{ID: 2, Name: "x\ndata: evil", Data: []byte("d")}},
		{name: "carriage return in name", ev: Event{ID: 3, Name: "x\r", Data: []byte("d")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if delivered, dropped := h.b.Publish(tt.ev); delivered != 0 || dropped != 0 {
				t.Errorf("Publish = (%d, %d), want (0, 0)", delivered, dropped)
			}
		})
	}
	h.b.Publish(Event{ID: 4, Name: "ok", Data: []byte("still open")})
	if got := c.nextEvent(t); got.ID != "4" || got.Data != "still open" {
		t.Errorf("after refused events got id=%q data=%q, want the next good event", got.ID, got.Data)
	}
}

func TestMatchFiltering(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{})
	defer h.close()
	subs := []struct {
		query string
		want  []string
	}{
		{query: "user=1&prop=1", want: []string{"1", "3", "end"}},
		{query: "user=2&prop=2", want: []string{"2", "end"}},
		{query: "user=3&prop=0", want: []string{"1", "2", "3", "4", "end"}},
	}
	clients := make([]*sseClient, len(subs))
	for i, s := range subs {
		clients[i] = dialSSE(t, h.addr(), s.query, nil, 0)
		defer clients[i].close()
	}
	wantDelivered := []int{2, 2, 2, 1}
	for i, prop := range []int64{1, 2, 1, 3} {
		delivered, _ := h.b.Publish(Event{ID: int64(i + 1), Name: "activity", PropertyID: prop, Data: []byte("row")})
		if delivered != wantDelivered[i] {
			t.Errorf("event %d (property %d) delivered to %d, want %d", i+1, prop, delivered, wantDelivered[i])
		}
	}
	h.b.Publish(Event{ID: 99, Name: "end", Kind: "all", Data: []byte("end")})
	for i, s := range subs {
		t.Run(s.query, func(t *testing.T) {
			var got []string
			for {
				ev := clients[i].nextEvent(t)
				if ev.Name == "end" {
					got = append(got, "end")
					break
				}
				got = append(got, ev.ID)
			}
			if !slices.Equal(got, s.want) {
				t.Errorf("got %v, want %v", got, s.want)
			}
		})
	}
}

func TestCloseSessionAndUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		close     func(*Broker)
		wantEnded []bool // for A (user 1, s1), B (user 1, s2), C (user 2, s3)
	}{
		{name: "CloseSession", close: func(b *Broker) { b.CloseSession("s1") }, wantEnded: []bool{true, false, false}},
		{name: "CloseUser", close: func(b *Broker) { b.CloseUser(1) }, wantEnded: []bool{true, true, false}},
		{name: "unknown session", close: func(b *Broker) { b.CloseSession("nope") }, wantEnded: []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessConfig{})
			defer h.close()
			var clients []*sseClient
			for _, q := range []string{"user=1&session=s1", "user=1&session=s2", "user=2&session=s3"} {
				c := dialSSE(t, h.addr(), q, nil, 0)
				defer c.close()
				clients = append(clients, c)
			}
			tt.close(h.b)
			alive := 0
			for _, ended := range tt.wantEnded {
				if !ended {
					alive++
				}
			}
			waitFor(t, "the closed streams' Serve calls to return", readWait, func() bool { return h.active.Load() == int64(alive) })
			if got := h.b.Stats().Subscribers; got != alive {
				t.Errorf("Stats().Subscribers = %d, want %d", got, alive)
			}
			if delivered, _ := h.b.Publish(Event{ID: 5, Name: "after", Data: []byte("after")}); delivered != alive {
				t.Errorf("delivered to %d, want %d", delivered, alive)
			}
			for i, c := range clients {
				if tt.wantEnded[i] {
					c.expectEnd(t)
					continue
				}
				if got := c.nextEvent(t); got.Name != "after" {
					t.Errorf("client %d got %q, want the event published after the close", i, got.Name)
				}
			}
		})
	}
}

func TestCloseEndsEverything(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{})
	defer h.close() // Close is idempotent; this only matters if the test fails early
	var clients []*sseClient
	for i := range 3 {
		c := dialSSE(t, h.addr(), "user="+strconv.Itoa(i), nil, 0)
		defer c.close()
		clients = append(clients, c)
	}
	done := make(chan struct{})
	go func() { h.b.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(readWait):
		t.Fatal("Close did not return")
	}
	// Close has waited for every Serve call; the harness handler around it needs a moment more to count down.
	waitFor(t, "the Serve calls to return", time.Second, func() bool { return h.active.Load() == 0 })
	for _, c := range clients {
		c.expectEnd(t)
	}
	h.b.Close() // idempotent
	if delivered, dropped := h.b.Publish(Event{ID: 1, Data: []byte("x")}); delivered+dropped != 0 {
		t.Errorf("Publish after Close = (%d, %d), want (0, 0)", delivered, dropped)
	}
	late := dialSSE(t, h.addr(), "user=9", nil, 0)
	defer late.close()
	if got := late.resp.StatusCode; got != http.StatusServiceUnavailable {
		t.Errorf("status after Close = %d, want 503", got)
	}
}

func TestHeartbeatComment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{opts: Options{Heartbeat: 20 * time.Millisecond}})
	defer h.close()
	c := dialSSE(t, h.addr(), "user=1", nil, 0)
	defer c.close()
	blk, err := c.nextBlock(readWait)
	if err != nil {
		t.Fatalf("no heartbeat: %v", err)
	}
	if blk.HasData || !slices.Equal(blk.Comments, []string{"hb"}) {
		t.Errorf("got %+v, want a comment-only block \": hb\"", blk)
	}
	h.b.Publish(Event{ID: 3, Name: "x", Data: []byte("after heartbeat")})
	if got := c.nextEvent(t); got.Data != "after heartbeat" {
		t.Errorf("after heartbeats got %q", got.Data)
	}
}

func TestMaxSubscribers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessConfig{opts: Options{MaxSubscribers: 2}})
	defer h.close()
	a := dialSSE(t, h.addr(), "user=1", nil, 0)
	defer a.close()
	b := dialSSE(t, h.addr(), "user=2", nil, 0)
	defer b.close()
	over := dialSSE(t, h.addr(), "user=3", nil, 0)
	defer over.close()
	if got := over.resp.StatusCode; got != http.StatusServiceUnavailable {
		t.Fatalf("third subscriber: status %d, want 503", got)
	}
	if over.resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	a.close()
	waitFor(t, "the departed subscriber to leave the registry", readWait, func() bool { return h.b.Stats().Subscribers == 1 })
	again := dialSSE(t, h.addr(), "user=3", nil, 0)
	defer again.close()
	if got := again.resp.StatusCode; got != http.StatusOK {
		t.Errorf("after one left: status %d, want 200", got)
	}
}
