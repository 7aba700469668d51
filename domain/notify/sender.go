package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
)

// Run sends due notifications until ctx ends: woken by Opened and Resolved, and at least every pollEvery (other
// instances enqueue too), or when the next one falls due. cmd/web runs it as a leader job, so on PostgreSQL one
// instance sends; claims are atomic all the same (a manual resend may run anywhere).
func (d *Dispatcher) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-d.wake:
		}
		d.SendDue(ctx)
		wait := pollEvery
		if next, ok, err := d.store.NextNotificationDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(d.now()), 50*time.Millisecond))
		}
		timer.Reset(wait)
	}
}

// SendDue sends every notification due now, a few at a time, and returns how many attempts it made.
func (d *Dispatcher) SendDue(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		ids, err := d.store.DueNotifications(ctx, d.now(), batchSize)
		if err != nil {
			d.logger.Error("notify: due notifications", slog.Any("err", err))
			return total
		}
		if len(ids) == 0 {
			return total
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for _, id := range ids {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if _, err := d.deliver(ctx, id, false); err != nil && !errors.Is(err, db.ErrBusy) {
					d.logger.Error("notify: deliver", slog.Int64("notification_id", id), slog.Any("err", err))
				}
			})
		}
		wg.Wait()
		total += len(ids)
		if len(ids) < batchSize {
			return total
		}
	}
	return total
}

// Resend makes one new attempt at notification id now, whatever its state, and returns the attempt as recorded.
// A failed resend leaves the notification failed: no automatic retries follow it.
func (d *Dispatcher) Resend(ctx context.Context, id int64) (db.NotifyAttempt, error) {
	return d.deliver(ctx, id, true)
}

// errStopped is what afterClaim returns in tests to stop an attempt as a crash would.
var errStopped = errors.New("notify: stopped after the claim")

// deliver claims notification id (the attempt is on disk as "sending" before anything goes out), sends it, and
// records the outcome: sent, a retry after backoff, or failed.
func (d *Dispatcher) deliver(ctx context.Context, id int64, manual bool) (db.NotifyAttempt, error) {
	n, a, err := d.store.ClaimNotification(ctx, id, d.now(), sendLease, manual)
	if err != nil {
		return db.NotifyAttempt{}, err
	}
	if d.afterClaim != nil {
		if err := d.afterClaim(n); err != nil {
			return a, err
		}
	}
	res := d.send(ctx, n)
	res.At = d.now()
	if !res.OK {
		res.Error = clip.String(res.Error, 500)
		res.Retry = res.Retry && !manual && n.Attempts < MaxAttempts
		res.RetryAt = res.At.Add(backoff(n.Attempts))
	}
	// Recorded even when ctx ended mid-send (shutdown): the attempt happened.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.store.FinishAttempt(wctx, a, res); err != nil {
		return a, err
	}
	level := slog.LevelInfo
	if !res.OK {
		level = slog.LevelWarn
	}
	d.logger.LogAttrs(ctx, level, "notify: attempt", slog.Int64("notification_id", n.ID), slog.Int64("alert_id", n.AlertID),
		slog.String("channel", n.Channel), slog.Int("attempt", n.Attempts), slog.Bool("ok", res.OK),
		slog.Int("status", res.StatusCode), slog.String("err", res.Error), slog.Bool("retry", res.Retry))
	a.StatusCode, a.Reply, a.Error = res.StatusCode, res.Reply, res.Error
	a.State = db.AttemptFailed
	if res.OK {
		a.State = db.AttemptOK
	}
	return a, nil
}

// send makes the one delivery of n through its channel.
func (d *Dispatcher) send(ctx context.Context, n db.Notification) db.AttemptResult {
	m := d.message(n)
	switch n.Channel {
	case db.ChannelEmail:
		msg := buildMail(d.mail.From, n.Target, m.subject, m.body, n.MessageID, d.now())
		if err := d.mail.sendMail(ctx, envelopeFrom(d.mail.From), n.Target, msg); err != nil {
			var se *smtpError
			if errors.As(err, &se) {
				return db.AttemptResult{StatusCode: se.code, Reply: clip.String(se.msg, 300), Error: err.Error(), Retry: !se.permanent}
			}
			return db.AttemptResult{Error: err.Error(), Retry: true}
		}
		return db.AttemptResult{OK: true, StatusCode: 250, Reply: "message accepted"}
	case db.ChannelWebhook:
		if n.EndpointID == nil {
			return db.AttemptResult{Error: "the endpoint was deleted"}
		}
		e, err := d.store.NotifyEndpointByID(ctx, *n.EndpointID)
		if errors.Is(err, db.ErrNotFound) {
			return db.AttemptResult{Error: "the endpoint was deleted"}
		}
		if err != nil {
			return db.AttemptResult{Error: "reading the endpoint: " + err.Error(), Retry: true}
		}
		if e.Disabled {
			return db.AttemptResult{Error: "the endpoint is disabled"}
		}
		code, reply, err := d.sendWebhook(ctx, e.URL, e.Secret, n.MessageID, m.json(d.now()))
		if err != nil {
			return db.AttemptResult{StatusCode: code, Reply: reply, Error: err.Error(), Retry: true}
		}
		return db.AttemptResult{OK: true, StatusCode: code, Reply: reply}
	}
	return db.AttemptResult{Error: fmt.Sprintf("unknown channel %q", n.Channel)}
}
