package smarthome

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordSleeps replaces the client's wait with one that records the requested durations and returns at once.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var got []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, d)
		return ctx.Err()
	}
	return &got
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	fixed := func(v string) func() string { return func() string { return v } }
	// The date is built when the handler answers, not before the parallel subtests start: a date computed early
	// loses however long the subtest waited for a slot. HTTP dates have whole seconds, so now+3 s truncated is
	// 2–3 s ahead at response time, leaving a second of slack above the 1 s lower bound for the client's parse.
	date := func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }
	tests := []struct {
		name       string
		retryAfter func() string // the header value at response time; nil sends none
		min, max   time.Duration
	}{
		{"seconds", fixed("2"), 2 * time.Second, 2 * time.Second},
		{"http date", date, time.Second, 3 * time.Second},
		{"absent: backoff", nil, time.Millisecond / 2, time.Millisecond},
		{"garbage: backoff", fixed("soon"), time.Millisecond / 2, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			sleeps := recordSleeps(f.client)
			var calls atomic.Int32
			f.mux.HandleFunc("POST /api/v2/mls_unlock", func(w http.ResponseWriter, r *http.Request) {
				checkRequest(t, r, nil, `{"serial": "30011", "start_time": 1700000000}`)
				if calls.Add(1) == 1 {
					if tt.retryAfter != nil {
						w.Header().Set("Retry-After", tt.retryAfter())
					}
					writeJSON(w, http.StatusTooManyRequests, `{"success": false, "message": "Rate Limit exceeded"}`)
					return
				}
				writeJSON(w, http.StatusOK, `{"success": true, "code": "237689"}`)
			})
			code, _, err := f.client.Unlocks.UnlockV2(t.Context(), UnlockV2Request{Serial: "30011", Start: time.Unix(1700000000, 0)})
			if err != nil || code.Reveal() != "237689" {
				t.Fatalf("UnlockV2 = %q, %v", code.Reveal(), err)
			}
			if calls.Load() != 2 || len(*sleeps) != 1 {
				t.Fatalf("calls %d, sleeps %v", calls.Load(), *sleeps)
			}
			if d := (*sleeps)[0]; d < tt.min || d > tt.max {
				t.Errorf("waited %v, want %v..%v", d, tt.min, tt.max)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		method    string
		statuses  []int // replies in order; the last repeats
		wantCalls int32
		wantErr   error
	}{
		{"503 then success", http.MethodGet, []int{503, 200}, 2, nil},
		{"500 twice then success", http.MethodPut, []int{500, 500, 200}, 3, nil},
		{"503 forever: 1 + 3 retries", http.MethodGet, []int{503}, 4, ErrUnavailable},
		{"429 forever", http.MethodGet, []int{429}, 4, ErrRateLimited},
		{"POST not retried on 5xx", http.MethodPost, []int{503, 200}, 1, ErrUnavailable},
		{"POST retried on 429", http.MethodPost, []int{429, 200}, 2, nil},
		{"DELETE retried on 502", http.MethodDelete, []int{502, 200}, 2, nil},
		{"404 not retried", http.MethodGet, []int{404, 200}, 1, ErrNotFound},
		{"422 not retried", http.MethodPut, []int{422, 200}, 1, ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			var calls atomic.Int32
			f.mux.HandleFunc("/api/thing", func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tt.method {
					t.Errorf("method %s, want %s", r.Method, tt.method)
				}
				n := int(calls.Add(1))
				status := tt.statuses[min(n, len(tt.statuses))-1]
				writeJSON(w, status, `{"success": true}`)
			})
			req, err := f.client.newRequest(t.Context(), tt.method, "thing", map[string]int{"a": 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.client.do(req, nil)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestRetryBoundedByContext(t *testing.T) {
	t.Parallel()
	// So many retries that ignoring the deadline would run for hours: only the context can end this call.
	f := setup(t, WithRetry(1_000_000, 20*time.Millisecond, 40*time.Millisecond))
	var calls atomic.Int32
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusServiceUnavailable, `{"success": false, "message": "down"}`)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, _, err := f.client.Hubs.Get(ctx, "h1")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("err = %v, want the deadline and the last 503", err)
	}
	// Every wait is at least half the 20 ms base, so 500 ms leave room for at most 51 attempts.
	if n := calls.Load(); n < 1 || n > 51 {
		t.Errorf("calls = %d, want between 1 and 51", n)
	}
}

func TestRetryAfterTooLongIsNotAwaited(t *testing.T) {
	t.Parallel()
	f := setup(t)
	sleeps := recordSleeps(f.client)
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeJSON(w, http.StatusTooManyRequests, `{"success": false, "message": "slow down"}`)
	})
	_, _, err := f.client.Hubs.Get(t.Context(), "h1")
	var er *ErrorResponse
	if !errors.As(err, &er) || er.RetryAfter != time.Hour || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	if len(*sleeps) != 0 {
		t.Errorf("waited %v", *sleeps)
	}
}

func TestRetryTransportErrors(t *testing.T) {
	t.Parallel()
	// A server that closes the first connection without answering, then behaves.
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		writeJSON(w, http.StatusOK, `{"id": "h1", "status": {}}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithRetry(2, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	hub, _, err := c.Hubs.Get(t.Context(), "h1")
	if err != nil || hub.ID != "h1" || calls.Load() != 2 {
		t.Fatalf("Get = %+v, %v after %d calls", hub, err, calls.Load())
	}

	// POST is not retried after a transport error: the request may have been applied.
	calls.Store(0)
	_, _, err = c.Unlocks.HubUnlock(t.Context(), HubUnlockRequest{Serial: "1"})
	if err == nil || calls.Load() != 1 {
		t.Errorf("POST after a dropped connection: %v after %d calls", err, calls.Load())
	}
}

func TestBackoffIsCappedWithJitter(t *testing.T) {
	t.Parallel()
	p := retryPolicy{max: 10, base: 100 * time.Millisecond, cap: time.Second}
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		want *= time.Millisecond
		for range 20 {
			if d := p.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want %v..%v", n, d, want/2, want)
			}
		}
	}
	if d := p.backoff(200); d > time.Second {
		t.Errorf("backoff(200) = %v overflowed the cap", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"-5", 0}, {"7", 7 * time.Second}, {"x", 0},
		{"Sun, 29 Nov 2026 12:00:30 GMT", 30 * time.Second},
		{"Sun, 29 Nov 2026 11:00:00 GMT", 0},
		{"999999999999", 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestRetryAfterRealWait runs the real sleeper once: a 429 with "Retry-After: 1" delays the retry by a second.
func TestRetryAfterRealWait(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var first atomic.Int64
	f.mux.HandleFunc("GET /api/hubs/{id}", func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(0, time.Now().UnixNano()) {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{"success": false, "message": "Rate Limit exceeded"}`)
			return
		}
		if gap := time.Since(time.Unix(0, first.Load())); gap < 900*time.Millisecond {
			t.Errorf("retried after %v, before the Retry-After second", gap)
		}
		writeJSON(w, http.StatusOK, `{"id": "h1"}`)
	})
	if _, _, err := f.client.Hubs.Get(t.Context(), "h1"); err != nil {
		t.Fatal(err)
	}
}
