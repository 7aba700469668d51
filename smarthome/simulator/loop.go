package simulator

import (
	"container/heap"
	"context"
	"errors"
	"time"
)

// job is delayed work in simulated time: a command reaching a device, a code syncing to a lock, a hub command, or a
// delayed event (a door closing again). Jobs are data, not closures, so they survive save and restore.
type job struct {
	Seq        uint64         `json:"seq"`
	Due        time.Time      `json:"due"`
	Kind       string         `json:"kind"`
	DeviceID   string         `json:"device_id,omitempty"`
	HubID      string         `json:"hub_id,omitempty"`
	LockCodeID string         `json:"lock_code_id,omitempty"`
	Command    *deviceCommand `json:"command,omitempty"`
	HubCommand *hubCommandJob `json:"hub_command,omitempty"`
	Trigger    *TriggerEvent  `json:"trigger,omitempty"`
	Slot       int            `json:"slot,omitempty"` // jobSlotClear
}

// Job kinds.
const (
	jobCommand    = "command"
	jobCodeSync   = "code_sync"
	jobHubCommand = "hub_command"
	jobTrigger    = "trigger"
	jobSlotClear  = "slot_clear"
)

// jobQueue is a min-heap by (Due, Seq), so jobs due at the same instant run in the order they were made.
type jobQueue []*job

func (q jobQueue) Len() int { return len(q) }
func (q jobQueue) Less(i, j int) bool {
	if !q[i].Due.Equal(q[j].Due) {
		return q[i].Due.Before(q[j].Due)
	}
	return q[i].Seq < q[j].Seq
}
func (q jobQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *jobQueue) Push(x any)   { *q = append(*q, x.(*job)) }
func (q *jobQueue) Pop() any {
	old := *q
	j := old[len(old)-1]
	*q = old[:len(old)-1]
	return j
}
func (q *jobQueue) init() { heap.Init(q) }

// ErrRealClock is returned by Advance when the simulator runs on the wall clock.
var ErrRealClock = errors.New("simulator: the clock is not a fake clock")

// schedule queues j. Callers hold s.mu.
func (s *Simulator) schedule(j job) {
	j.Seq = s.st.NextJob
	s.st.NextJob++
	heap.Push(&s.st.Jobs, &j)
	s.changed()
}

// loop runs due work until ctx ends: on a timer for the wall clock, on Changed for a fake clock, and whenever a
// request queues a job. It also saves the state when it changed: once a second, or less often when saving is slow.
func (s *Simulator) loop(ctx context.Context) {
	var saveTick <-chan time.Time
	if s.opts.StatePath != "" {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		saveTick = t.C
	}
	notifier, fake := s.clock.(changeNotifier)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var moved <-chan struct{}
		if fake {
			moved = notifier.Changed() // taken before reading the time, so no move is missed
		}
		wait := s.step()
		var timerC <-chan time.Time
		if !fake {
			timer.Reset(wait)
			timerC = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-moved:
		case <-timerC:
		case <-saveTick:
			if time.Since(s.lastSave) < s.saveEvery {
				continue
			}
			if err := s.save(false); err != nil && s.opts.Logger != nil {
				s.opts.Logger.Warn("simulator state not saved", "err", err)
			}
		}
	}
}

// step runs everything due now and says how long the wall clock may sleep.
func (s *Simulator) step() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.runDue(now)
	wait := time.Second // periodic work (heartbeats, schedules, life) is checked at least this often
	if len(s.st.Jobs) > 0 {
		wait = min(wait, s.st.Jobs[0].Due.Sub(now))
	}
	return max(wait, 5*time.Millisecond)
}

// Advance moves a fake clock forward and runs everything that fell due, before returning.
func (s *Simulator) Advance(d time.Duration) error {
	a, ok := s.clock.(advancer)
	if !ok {
		return ErrRealClock
	}
	a.Advance(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDue(s.clock.Now())
	return nil
}

// Now returns the simulated time.
func (s *Simulator) Now() time.Time { return s.clock.Now() }

// maxJobsPerStep stops a pathological chain of zero-delay jobs from holding the lock forever.
const maxJobsPerStep = 100_000

// runDue runs due jobs, then periodic work for the time since the last step, then jobs that work made due.
// Callers hold s.mu.
func (s *Simulator) runDue(now time.Time) {
	s.runJobs(now)
	last := s.st.LastTick
	if last.IsZero() || now.Before(last) {
		s.st.LastTick = now
		return
	}
	if now.After(last) {
		s.heartbeats(last, now)
		s.runSchedules(last, now)
		s.live(last, now)
		s.st.LastTick = now
		s.runJobs(now)
	}
}

func (s *Simulator) runJobs(now time.Time) {
	for n := 0; n < maxJobsPerStep && len(s.st.Jobs) > 0 && !s.st.Jobs[0].Due.After(now); n++ {
		j := heap.Pop(&s.st.Jobs).(*job)
		s.runJob(j)
		s.dirty = true
	}
}

func (s *Simulator) runJob(j *job) {
	switch j.Kind {
	case jobCommand:
		s.applyCommand(j)
	case jobCodeSync:
		s.syncCode(j.LockCodeID, j.DeviceID, j.Due)
	case jobHubCommand:
		s.applyHubCommand(j)
	case jobTrigger:
		_ = s.trigger(*j.Trigger, j.Due) // the device may have been removed meanwhile: nothing to report then
	case jobSlotClear:
		s.clearSlot(j)
	}
}

// heartbeats stamps heartBeat on every online hub whose minute came round since last (each hub beats at its own
// second of the minute, so 5,000 hubs do not all report at once). The heartbeat webhook is sent only when life is on:
// a quiet run stays quiet. Callers hold s.mu.
func (s *Simulator) heartbeats(last, now time.Time) {
	for _, h := range s.st.idx().sortedHubs { // in serial order, so a seeded run sends the same sequence
		if !h.Online {
			continue
		}
		off := h.Serial % 60
		beat := now.Unix() - ((now.Unix()-off)%60+60)%60
		at := time.Unix(beat, 0).In(now.Location())
		if !at.After(last) {
			continue
		}
		h.HeartBeat = at
		if s.opts.LifeRate > 0 {
			s.emit(target{hub: h}, "hub", "heartbeat", isoTime(at), "", at)
		}
	}
}
