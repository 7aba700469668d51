package fanout

import (
	"slices"
	"sync"
)

// seenSet is the activity ids this instance pushed (its own, when committed; the others', when heard), so a
// catch-up, which re-reads a window below the highest id heard, pushes none twice. It holds the ids of the
// window and above, pruned when it grows past seenMax: an id below the window is never re-read.
type seenSet struct {
	mu   sync.Mutex
	ids  map[int64]struct{}
	high int64 // the highest id the listener heard or read
}

func newSeenSet() *seenSet { return &seenSet{ids: map[int64]struct{}{}} }

// add records id and reports whether it is new.
func (s *seenSet) add(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	s.ids[id] = struct{}{}
	if len(s.ids) > seenMax {
		s.prune()
	}
	return true
}

// heard raises the highest id heard. Only the listener calls it: this instance's own commits do not move it,
// so that a catch-up after an outage starts below what the others committed meanwhile.
func (s *seenSet) heard(id int64) {
	s.mu.Lock()
	s.high = max(s.high, id)
	s.mu.Unlock()
}

// last is the highest id heard.
func (s *seenSet) last() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.high
}

// prune drops the ids below the catch-up window; if that is not enough (a long outage while this instance kept
// committing its own), the lower half. Forgetting an own id can only push it twice, never lose one.
func (s *seenSet) prune() {
	floor := s.high - catchUpWindow
	for id := range s.ids {
		if id < floor {
			delete(s.ids, id)
		}
	}
	if len(s.ids) <= seenMax/2 {
		return
	}
	all := make([]int64, 0, len(s.ids))
	for id := range s.ids {
		all = append(all, id)
	}
	slices.Sort(all)
	for _, id := range all[:len(all)/2] {
		delete(s.ids, id)
	}
}
