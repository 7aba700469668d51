package db

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPackNotify(t *testing.T) {
	t.Parallel()
	many := make([]string, 3000) // 33 KB of ids: several payloads
	for i := range many {
		many[i] = strconv.Itoa(1_000_000+i) + ".1f"
	}
	tests := []struct {
		name    string
		entries []string
		want    int // payloads
	}{
		{"none", nil, 0},
		{"one", []string{"42"}, 1},
		{"too long alone", []string{strings.Repeat("x", MaxNotifyPayload)}, 0},
		{"over 8000 bytes", many, 5}, // 3000 × 11 bytes = 33 KB
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PackNotify("inst", tt.entries)
			if len(got) != tt.want {
				t.Fatalf("%d payloads, want %d", len(got), tt.want)
			}
			var back []string
			for _, p := range got {
				if len(p) >= 8000 {
					t.Errorf("payload of %d bytes, PostgreSQL takes < 8000", len(p))
				}
				f := strings.Fields(p)
				if f[0] != "inst" {
					t.Errorf("payload starts %q, want the header", f[0])
				}
				back = append(back, f[1:]...)
			}
			if tt.want > 0 && strings.Join(back, " ") != strings.Join(tt.entries, " ") {
				t.Errorf("entries not kept in order across payloads")
			}
		})
	}
}

// TestNotifyListen: a batch ingested on one store is heard, once per batch and split under 8000 bytes, by a
// listener on another store of the same database; Notify's payloads arrive as sent; SQLite announces nothing.
func TestNotifyListen(t *testing.T) {
	t.Parallel()
	a := newPGStore(t)
	b, err := OpenPostgres(t.Context(), a.pg.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	l, err := b.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	var mu sync.Mutex
	entries := 0
	a.AnnounceIngest("A", func(r IngestResult) string {
		mu.Lock()
		entries++
		mu.Unlock()
		return strconv.FormatInt(r.ID, 10) + "." + strings.Repeat("f", 40) // long entries: few fit in one payload
	})

	const n = 600 // 600 × ~47 bytes ≈ 28 KB: at least 4 payloads even if it all lands in one batch
	var wg sync.WaitGroup
	ids := make(chan int64, n)
	for i := range n {
		wg.Go(func() {
			res := ingest(t, a, IngestItem{Activity: newActivity(i, time.Duration(i)*time.Second)})
			ids <- res.ID
		})
	}
	wg.Wait()
	close(ids)
	want := map[string]bool{}
	for id := range ids {
		want[strconv.FormatInt(id, 10)] = true
	}
	got := map[string]int{}
	payloads := 0
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for len(got) < n {
		p, err := l.Wait(ctx)
		if err != nil {
			t.Fatalf("after %d of %d ids: %v", len(got), n, err)
		}
		payloads++
		if len(p) >= 8000 {
			t.Errorf("payload of %d bytes", len(p))
		}
		f := strings.Fields(p)
		if f[0] != "A" {
			t.Fatalf("header %q", f[0])
		}
		for _, e := range f[1:] {
			id, _, _ := strings.Cut(e, ".")
			got[id]++
		}
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("activity %s heard %d times", id, got[id])
		}
	}
	stats := a.IngestStats()
	if payloads >= n || uint64(payloads) > stats.Batches*8 {
		t.Errorf("%d payloads for %d rows in %d batches: want a few per batch, never one per row", payloads, n, stats.Batches)
	}
	t.Logf("%d rows, %d batches, %d payloads", n, stats.Batches, payloads)

	if err := a.Notify(t.Context(), []string{"A c:7 l:x"}); err != nil {
		t.Fatal(err)
	}
	if p, err := l.Wait(ctx); err != nil || p != "A c:7 l:x" {
		t.Errorf("Notify: got %q, %v", p, err)
	}
	if last, err := b.LastActivityID(t.Context()); err != nil || last == 0 {
		t.Errorf("LastActivityID = %d, %v", last, err)
	}
	page, err := b.ActivityIDsAfter(t.Context(), 0, 10)
	if err != nil || len(page) != 10 || page[0] >= page[9] {
		t.Errorf("ActivityIDsAfter(0, 10) = %v, %v", page, err)
	}
}

// TestAnnounceIngestSQLite: on SQLite a batch notifies nobody and entry is never called.
func TestAnnounceIngestSQLite(t *testing.T) {
	t.Parallel()
	s := newSQLiteStore(t)
	s.AnnounceIngest("A", func(IngestResult) string { panic("called on SQLite") })
	ingest(t, s, IngestItem{Activity: newActivity(1, 0)})
	if err := s.Notify(t.Context(), []string{"A 1"}); err != nil {
		t.Errorf("Notify on SQLite: %v", err)
	}
	if _, err := s.Listen(t.Context()); err == nil {
		t.Error("Listen on SQLite: no error")
	}
}
