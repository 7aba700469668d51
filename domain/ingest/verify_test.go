package ingest

import (
	"testing"
	"time"
)

func TestInboxLimiter(t *testing.T) {
	t.Parallel()
	l := newInboxLimiter()
	t0 := time.Now()
	for i := range UnverifiedBurst {
		if ok, _ := l.take(t0); !ok {
			t.Fatalf("refused delivery %d within the burst", i)
		}
	}
	for range 5 {
		if ok, _ := l.take(t0); ok {
			t.Fatal("kept a delivery beyond the burst")
		}
	}
	ok, suppressed := l.take(t0.Add(2 * time.Second))
	if !ok || suppressed != 5 || l.Refused() != 5 {
		t.Fatalf("after refill: ok %v suppressed %d refused %d, want true 5 5", ok, suppressed, l.Refused())
	}
	l.unkeep(suppressed) // the row carrying the count could not be written: the count is not lost
	if _, again := l.take(t0.Add(4 * time.Second)); again != 5 {
		t.Errorf("count after a failed write = %d, want 5", again)
	}
}
