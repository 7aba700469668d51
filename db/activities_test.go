package db

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// seedActivities ingests n activities concurrently (so they group-commit): hubs and devices rotate, every third
// is an Unlock by "Jane Doe", times step by a minute.
func seedActivities(t testing.TB, s *Store, n int) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range n {
		a := newActivity(i, time.Duration(i)*time.Minute)
		a.HubID = fmt.Sprintf("hub-%06d", i%3)
		a.DeviceID = fmt.Sprintf("dev-%07d", i%5)
		a.PropertyID = ptr(int64(1000 + i%3))
		if i%3 == 0 {
			a.MessageType, a.Kind, a.Actor, a.Details = "Unlock", "lock.unlocked", "Jane Doe", fmt.Sprintf("front gate %d", i)
		}
		if i%10 == 9 {
			a.DeviceID, a.DeviceType, a.MessageType, a.Kind = "", "hub", "heartbeat", "hub.heartbeat"
			a.Actor, a.Details = "", "beat"
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ingest(t, s, IngestItem{Activity: a})
		})
	}
	wg.Wait()
}

func TestListActivitiesFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	seedActivities(t, s, 120)
	count := func(f ActivityFilter) int {
		n := 0
		must(t, s.EachActivity(t.Context(), f, func(ActivityView) error { n++; return nil }))
		return n
	}
	tests := []struct {
		name string
		f    ActivityFilter
		want int
	}{
		{"all", ActivityFilter{}, 120},
		{"property", ActivityFilter{PropertyID: 1001}, 40},
		{"hub", ActivityFilter{HubID: "hub-000002"}, 40},
		{"device", ActivityFilter{DeviceID: "dev-0000004"}, 24 - 12},
		{"device type", ActivityFilter{DeviceType: "hub"}, 12},
		{"message type any case", ActivityFilter{MessageType: "UNLOCK"}, 36},
		{"who any case", ActivityFilter{Who: "jane doe"}, 36},
		{"time range", ActivityFilter{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 10},
		{"text", ActivityFilter{Text: "gate"}, 36},
		{"text prefix and words", ActivityFilter{Text: "fro GAT"}, 36},
		{"text with syntax", ActivityFilter{Text: `"gate" (* -`}, 36},
		{"text no match", ActivityFilter{Text: "garage"}, 0},
		{"text in another column", ActivityFilter{Text: "mapl hom"}, 120}, // every home is "Maple Home 0"
		// Query syntax of FTS5 or tsquery in the search is read as words, and never fails the query.
		{"text with tsquery operators", ActivityFilter{Text: `gate:* | !front & (`}, 36},
		{"text with quotes and backslashes", ActivityFilter{Text: `'gate'' \'front\`}, 36},
		{"text of operators only", ActivityFilter{Text: `!|&():*<->'"`}, 120}, // no words: no text filter
		{"text not UTF-8", ActivityFilter{Text: "\xffgate\xfe"}, 36},
		{"text with a huge word", ActivityFilter{Text: "gate " + strings.Repeat("é", 3000)}, 0},
		{"text with an underscore", ActivityFilter{Text: "front_gate"}, 36}, // both indexes split words at "_"; a phrase
		{"combined", ActivityFilter{PropertyID: 1000, MessageType: "unlock", Text: "jane"}, 36},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.f); got != tt.want {
				t.Errorf("%+v matched %d, want %d", tt.f, got, tt.want)
			}
		})
	}
}

// TestListActivitiesKeyset pages through the log and checks it sees every row once, newest first, with equal
// times broken by id.
func TestListActivitiesKeyset(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for i := range 7 { // seven rows at one instant, three later
		a := newActivity(i, 0)
		if i >= 4 {
			a.At = t0.Add(time.Hour * time.Duration(i))
		}
		ingest(t, s, IngestItem{Activity: a})
	}
	seen := pageIDs(t, s, ActivityFilter{Limit: 3})
	want := []int64{7, 6, 5, 4, 3, 2, 1}
	if !slices.Equal(seen, want) {
		t.Fatalf("pages saw %v, want %v", seen, want)
	}
}

// TestListActivitiesTextKeyset pages through a text search (FTS5, or PostgreSQL's tsvector): every match once,
// newest arrival (id) first, across pages.
func TestListActivitiesTextKeyset(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	seedActivities(t, s, 30) // 9 "front gate" unlocks (every third row but the ninth, a heartbeat)
	seen := pageIDs(t, s, ActivityFilter{Text: "gate", Limit: 3})
	if len(seen) != 9 {
		t.Fatalf("pages saw %d matches %v, want 9", len(seen), seen)
	}
	if s.FullTextSearch() && !slices.IsSortedFunc(seen, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("pages saw %v, want descending ids", seen)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 9 {
		t.Errorf("pages saw %v: a row twice", seen)
	}
}

// TestEachActivityChunks exports more rows than one chunk.
func TestEachActivityChunks(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	n := exportChunk + 37
	seedActivities(t, s, n)
	var prev *ActivityView
	got := 0
	must(t, s.EachActivity(t.Context(), ActivityFilter{}, func(a ActivityView) error {
		if prev != nil && (a.At.After(prev.At) || a.At.Equal(prev.At) && a.ID >= prev.ID) {
			t.Fatalf("out of order: %d after %d", a.ID, prev.ID)
		}
		prev = &a
		got++
		return nil
	}))
	if got != n {
		t.Fatalf("exported %d, want %d", got, n)
	}
}

// TestFTSCatchUp writes activities with the index off (as a binary without FTS5 would), then reopens: the index
// catches up and search finds them.
func TestFTSCatchUp(t *testing.T) {
	t.Parallel()
	sqliteOnly(t, "FTS5's catch-up; PostgreSQL's generated tsvector column is never behind")
	s := newStore(t)
	if !s.FullTextSearch() {
		t.Skip("built without sqlite_fts5")
	}
	s.ingest.fts.Store(false) // only read by the writer when a batch starts; no batch is running
	a := newActivity(1, 0)
	a.Details = "sprinkler valve"
	ingest(t, s, IngestItem{Activity: a})
	if got := ftsCount(t, s, "sprinkler"); got != 0 {
		t.Fatalf("indexed %d while the index was off", got)
	}
	ok, err := s.setUpFTS(t.Context())
	must(t, err)
	if !ok || ftsCount(t, s, "sprinkler") != 1 {
		t.Fatal("the index did not catch up")
	}
	s.ingest.fts.Store(true)
	b := newActivity(2, 0)
	b.DedupeKey, b.Details = sha256.Sum256([]byte("other")), "sprinkler head"
	ingest(t, s, IngestItem{Activity: b})
	if got := ftsCount(t, s, "sprinkler"); got != 2 {
		t.Fatalf("found %d, want 2", got)
	}
}

func ftsCount(t *testing.T, s *Store, word string) int {
	t.Helper()
	var n int
	must(t, s.r.GetContext(t.Context(), &n, `SELECT count(*) FROM activities_fts WHERE activities_fts MATCH ?`, word))
	return n
}

// pageIDs follows f's keyset pages (at most 10) and returns the ids in the order the pages showed them.
func pageIDs(t *testing.T, s *Store, f ActivityFilter) []int64 {
	t.Helper()
	var seen []int64
	for range 10 {
		pg, err := s.ListActivities(t.Context(), f)
		must(t, err)
		for _, a := range pg.Items {
			seen = append(seen, a.ID)
		}
		if pg.Next == nil {
			break
		}
		f.Before = pg.Next
	}
	return seen
}
