package access

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// personLimiter bounds how often one person may reveal codes or issue one-off codes: a stolen session cannot dump
// every PIN. 10 a minute, bursts of 10.
type personLimiter struct {
	mu   sync.Mutex
	byID map[int64]*rate.Limiter
}

func newPersonLimiter() *personLimiter { return &personLimiter{byID: map[int64]*rate.Limiter{}} }

func (l *personLimiter) allow(userID int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byID[userID]
	if !ok {
		if len(l.byID) > 10_000 { // bounded: forget everyone rather than grow without end
			clear(l.byID)
		}
		lim = rate.NewLimiter(rate.Every(6*time.Second), 10)
		l.byID[userID] = lim
	}
	return lim.Allow()
}
