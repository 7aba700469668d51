package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Delivery is the record of one webhook event and its delivery attempts (GET /_sim/webhooks, Deliveries).
type Delivery struct {
	ID            string          `json:"id"` // webhook-id, stable across retries and duplicates
	MessageType   string          `json:"message_type"`
	Body          json.RawMessage `json:"body"`
	ActivityTime  time.Time       `json:"activity_time"` // simulated time of the event
	Status        int             `json:"status"`        // last HTTP status; 0 before any answer
	Attempts      int             `json:"attempts"`
	Delivered     bool            `json:"delivered"`
	Dropped       bool            `json:"dropped,omitempty"`   // pushed out of a full queue
	Duplicate     bool            `json:"duplicate,omitempty"` // a deliberate second send (WebhookDuplicateRate)
	Error         string          `json:"error,omitempty"`
	LastAttemptAt time.Time       `json:"last_attempt_at,omitzero"` // wall-clock time
}

// ErrClosed is returned by Flush once the simulator is closed.
var ErrClosed = errors.New("simulator: closed")

// maxDeliveryRecords bounds the ring of Delivery records kept for the control API.
const maxDeliveryRecords = 2000

// pending is a queued delivery.
type pending struct {
	rec       *Delivery
	notBefore time.Time
}

// deliverer posts webhook bodies to one URL from a single goroutine. A failed delivery waits for its backoff while
// later ones proceed, so a flaky receiver sees retries out of order, as real senders produce them.
type deliverer struct {
	url       string
	key       []byte // nil: unsigned
	policy    RetryPolicy
	dupRate   float64
	queueMax  int
	logger    *slog.Logger
	transport *http.Transport
	client    *http.Client

	mu       sync.Mutex
	queue    []*pending
	inflight int
	records  []*Delivery
	rng      *rand.Rand
	wake     chan struct{}
	changed  chan struct{} // closed and replaced on every change (Flush waits on it)
	closed   bool
}

func newDeliverer(o Options) *deliverer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dl := &deliverer{
		url: o.WebhookURL, policy: o.WebhookRetry, dupRate: o.WebhookDuplicateRate, queueMax: o.WebhookQueueSize,
		logger: o.Logger, transport: tr, client: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		rng: rand.New(rand.NewPCG(uint64(o.Seed), 0xd0b1e)), wake: make(chan struct{}, 1), changed: make(chan struct{}),
	}
	if o.WebhookSecret != "" {
		dl.key = signingKey(o.WebhookSecret)
	}
	return dl
}

// enqueue records an event and queues it when a URL is configured.
func (dl *deliverer) enqueue(body []byte, messageType string, at time.Time) {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	rec := &Delivery{ID: "msg_" + secureToken(12), MessageType: messageType, Body: body, ActivityTime: at}
	dl.record(rec)
	switch {
	case dl.url == "":
		rec.Error = "no webhook url configured"
		return
	case dl.closed:
		rec.Error = "simulator closed"
		return
	}
	if len(dl.queue) >= dl.queueMax {
		old := dl.queue[0]
		dl.queue = slices.Delete(dl.queue, 0, 1)
		old.rec.Dropped, old.rec.Error = true, "dropped: delivery queue full"
		if dl.logger != nil {
			dl.logger.Warn("webhook dropped: queue full", slog.String("webhook_id", old.rec.ID),
				slog.String("message_type", old.rec.MessageType), slog.Int("queue_size", dl.queueMax))
		}
	}
	dl.queue = append(dl.queue, &pending{rec: rec})
	dl.signal()
}

// record appends to the bounded ring. Callers hold dl.mu.
func (dl *deliverer) record(rec *Delivery) {
	if len(dl.records) >= maxDeliveryRecords {
		dl.records = slices.Delete(dl.records, 0, len(dl.records)-maxDeliveryRecords+1)
	}
	dl.records = append(dl.records, rec)
}

// signal wakes the worker and any Flush. Callers hold dl.mu.
func (dl *deliverer) signal() {
	select {
	case dl.wake <- struct{}{}:
	default:
	}
	close(dl.changed)
	dl.changed = make(chan struct{})
}

// run delivers until ctx ends.
func (dl *deliverer) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p, wait := dl.next()
		if p != nil {
			dl.attempt(ctx, p)
			continue
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-dl.wake:
		case <-timer.C:
		}
	}
}

// next takes the first delivery whose backoff has passed, or says how long to wait for one.
func (dl *deliverer) next() (*pending, time.Duration) {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	now, wait := time.Now(), time.Hour
	for i, p := range dl.queue {
		if !p.notBefore.After(now) {
			dl.queue = slices.Delete(dl.queue, i, i+1)
			dl.inflight++
			return p, 0
		}
		wait = min(wait, p.notBefore.Sub(now))
	}
	return nil, wait
}

// attempt posts once and then records success, schedules a retry, or gives up.
func (dl *deliverer) attempt(ctx context.Context, p *pending) {
	status, err := dl.post(ctx, p.rec)
	dl.mu.Lock()
	defer dl.mu.Unlock()
	defer dl.signal()
	dl.inflight--
	rec := p.rec
	rec.Attempts++
	rec.Status, rec.LastAttemptAt = status, time.Now()
	if err == nil {
		rec.Delivered, rec.Error = true, ""
		if !rec.Duplicate && dl.dupRate > 0 && dl.rng.Float64() < dl.dupRate {
			dup := &Delivery{ID: rec.ID, MessageType: rec.MessageType, Body: rec.Body, ActivityTime: rec.ActivityTime, Duplicate: true}
			dl.record(dup)
			dl.queue = append(dl.queue, &pending{rec: dup})
		}
		return
	}
	rec.Error = err.Error()
	if rec.Attempts < dl.policy.MaxAttempts && ctx.Err() == nil && !dl.closed {
		p.notBefore = time.Now().Add(dl.backoff(rec.Attempts))
		dl.queue = append(dl.queue, p)
		if dl.logger != nil {
			dl.logger.Debug("webhook attempt failed", slog.String("webhook_id", rec.ID), slog.Int("attempt", rec.Attempts),
				slog.Int("status", status), slog.Any("err", err))
		}
		return
	}
	if dl.logger != nil && ctx.Err() == nil {
		dl.logger.Warn("webhook delivery gave up", slog.String("webhook_id", rec.ID),
			slog.String("message_type", rec.MessageType), slog.Int("attempts", rec.Attempts), slog.Int("status", status),
			slog.Any("err", err))
	}
}

// backoff is BaseDelay·2^(attempt-1), capped at MaxDelay.
func (dl *deliverer) backoff(attempt int) time.Duration {
	d := dl.policy.BaseDelay
	for range attempt - 1 {
		if d >= dl.policy.MaxDelay {
			break
		}
		d *= 2
	}
	return min(d, dl.policy.MaxDelay)
}

// flush waits until nothing is queued or in flight.
func (dl *deliverer) flush(ctx context.Context) error {
	for {
		dl.mu.Lock()
		idle, closed, ch := len(dl.queue) == 0 && dl.inflight == 0, dl.closed, dl.changed
		dl.mu.Unlock()
		switch {
		case idle:
			return nil
		case closed:
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// close stops accepting work and releases idle connections (goroutines a leak check would find).
func (dl *deliverer) close() {
	dl.mu.Lock()
	dl.closed = true
	dl.signal()
	dl.mu.Unlock()
	dl.transport.CloseIdleConnections()
}

// snapshot copies the records, oldest first.
func (dl *deliverer) snapshot() []Delivery {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	out := make([]Delivery, len(dl.records))
	for i, r := range dl.records {
		out[i] = *r
	}
	return out
}

// Flush waits until every queued webhook was delivered or given up on (tests call it after Advance).
func (s *Simulator) Flush(ctx context.Context) error { return s.hooks.flush(ctx) }

// Deliveries returns the recorded webhook events and their delivery state, oldest first (at most 2,000).
func (s *Simulator) Deliveries() []Delivery { return s.hooks.snapshot() }
