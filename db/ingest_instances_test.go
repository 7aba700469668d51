package db

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db/pgtest"
)

// twoInstances opens two PostgreSQL stores on one fresh database, as two dashboard instances would.
func twoInstances(t *testing.T) [2]*Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	var out [2]*Store
	for i := range out {
		s, err := OpenPostgres(t.Context(), dsn)
		out[i] = closedAtEnd(t, s, err)
	}
	return out
}

// TestIngestDedupeAcrossInstances: the same delivery (one dedupe key) reaching two instances at once is stored
// once, and both callers get an answer: one Stored, one Duplicate, the same id. Each answer comes after its commit:
// the other instance reads the activity as soon as Ingest returned.
func TestIngestDedupeAcrossInstances(t *testing.T) {
	t.Parallel()
	st := twoInstances(t)
	const rounds = 40
	for r := range rounds {
		a := newActivity(r, time.Duration(r)*time.Second)
		a.DedupeKey = DedupeKey(t0, sha256.Sum256(fmt.Appendf(nil, "delivery-%d", r)))
		var res [2]IngestResult
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, s := range st {
			wg.Go(func() {
				<-start
				res[i], errs[i] = s.Ingest(t.Context(), IngestItem{Activity: a, Body: fmt.Appendf(nil, `{"r":%d}`, r)})
				if errs[i] != nil {
					return
				}
				// Read through the other instance: it must already see what this one answered for.
				if _, err := st[1-i].ActivityByID(t.Context(), res[i].ID); err != nil {
					errs[i] = fmt.Errorf("instance %d answered %+v, instance %d reads: %w", i, res[i], 1-i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d: %v", r, i, err)
			}
		}
		if res[0].ID != res[1].ID || res[0].Duplicate == res[1].Duplicate {
			t.Fatalf("round %d: answers %+v and %+v, want one stored and one duplicate of the same id", r, res[0], res[1])
		}
	}
	var n, keys int
	must(t, st[0].r.QueryRowContext(t.Context(), `SELECT count(*), count(DISTINCT dedupe_key) FROM activities`).Scan(&n, &keys))
	if n != rounds || keys != rounds {
		t.Fatalf("%d activities (%d keys) stored, want %d", n, keys, rounds)
	}
}

// TestIngestBatchesAcrossInstances: two instances group-committing overlapping deliveries in opposite orders (each
// batch locks the keys it inserts until it commits) all get an answer, and every delivery is stored once.
func TestIngestBatchesAcrossInstances(t *testing.T) {
	t.Parallel()
	st := twoInstances(t)
	const n = 300
	items := make([]IngestItem, n)
	for i := range items {
		a := newActivity(i, time.Duration(i)*time.Second)
		a.HubID = fmt.Sprintf("hub-%06d", i%7) // live marks and hubs upserted by both instances too
		items[i] = IngestItem{Activity: a, Body: fmt.Appendf(nil, `{"i":%d}`, i)}
	}
	ids := [2][]int64{make([]int64, n), make([]int64, n)}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	sem := make(chan struct{}, 64)
	for inst, s := range st {
		for j := range n {
			i := j
			if inst == 1 {
				i = n - 1 - j // the other end first
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				res, err := s.Ingest(t.Context(), items[i])
				if err != nil {
					errs <- fmt.Errorf("instance %d, item %d: %w", inst, i, err)
					return
				}
				ids[inst][i] = res.ID
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if !slices.Equal(ids[0], ids[1]) {
		t.Fatal("the instances answered different ids for the same delivery")
	}
	for inst, s := range st {
		t.Logf("instance %d: %+v", inst, s.IngestStats())
	}
	var stored int
	must(t, st[0].r.GetContext(t.Context(), &stored, `SELECT count(*) FROM activities`))
	if stored != n {
		t.Fatalf("%d activities stored, want %d", stored, n)
	}
}

// TestIngestRetriesDeadlock: a batch PostgreSQL aborts as a deadlock (as it does when two instances' batches lock
// the same rows in opposite orders) is tried again, and the caller gets its answer, not the error. The deadlock is
// a trigger raising 40P01 on the first insert only (a sequence: it does not roll back with the transaction).
func TestIngestRetriesDeadlock(t *testing.T) {
	t.Parallel()
	s := newPGStore(t)
	for _, q := range []string{
		`CREATE SEQUENCE tries`,
		`CREATE FUNCTION deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('tries') = 1 THEN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER deadlock_once BEFORE INSERT ON activities FOR EACH ROW EXECUTE FUNCTION deadlock_once()`,
	} {
		_, err := s.w.ExecContext(t.Context(), q)
		must(t, err)
	}
	res := ingest(t, s, IngestItem{Activity: newActivity(1, 0)})
	if res.ID == 0 || res.Duplicate {
		t.Fatalf("Ingest = %+v, want a stored activity", res)
	}
	var tries int64
	must(t, s.r.GetContext(t.Context(), &tries, `SELECT last_value FROM tries`))
	if tries != 2 {
		t.Errorf("the insert ran %d times, want 2 (the deadlock, then the retry)", tries)
	}
}

// TestIngestNoDeadlockAcrossInstances: two instances' batches change the same 40 devices at the same moment, in
// opposite orders. Each writer locks rows in key order, so neither transaction is aborted as a deadlock (in the
// map order it used before, one round in a few dozen failed with 40P01 and the retry hid it).
func TestIngestNoDeadlockAcrossInstances(t *testing.T) {
	t.Parallel()
	st := twoInstances(t)
	must(t, st[0].ApplySync(t.Context(), genSnapshot(4, 1, 10, t0)))
	const rounds, devices = 60, 40
	mode := func(m string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"` + m + `"}`)}
	}
	for r := range rounds {
		var batches [2][]*ingestReq
		for i := range devices {
			for inst := range batches {
				dev := i
				if inst == 1 {
					dev = devices - 1 - i // the other instance goes the other way round
				}
				n := (r*2+inst)*devices + i
				c := LiveChange{HubID: fmt.Sprintf("hub-%06d", dev/10), DeviceID: fmt.Sprintf("dev-%07d", dev),
					At: t0.Add(time.Duration(n) * time.Second), State: mode([]string{"locked", "unlocked"}[n%2])}
				batches[inst] = append(batches[inst], &ingestReq{item: IngestItem{Activity: newActivity(n, time.Duration(n)*time.Second),
					Body: []byte(`{}`), Live: &c}, done: make(chan struct{})})
			}
		}
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for inst := range batches {
			wg.Go(func() { <-start; errs[inst] = st[inst].ingest.write(batches[inst]) })
		}
		close(start)
		wg.Wait()
		for inst, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d: %v", r, inst, err)
			}
		}
	}
}

// TestIngestNoLostUpdateAcrossInstances: instance A reports batteries while instance B reports lock modes of the same
// devices, batch against batch. Every device ends with both the last battery and the last mode: a batch reads the
// rows it changes under a row lock (markCache.forUpdate), so neither instance writes back a copy read before the
// other one's commit.
func TestIngestNoLostUpdateAcrossInstances(t *testing.T) {
	t.Parallel()
	st := twoInstances(t)
	must(t, st[0].ApplySync(t.Context(), genSnapshot(2, 1, 10, t0)))
	const rounds, devices = 30, 20
	for r := range rounds {
		var batches [2][]*ingestReq
		for i := range devices {
			for inst := range batches {
				n := (r*2+inst)*devices + i
				c := LiveChange{HubID: fmt.Sprintf("hub-%06d", i/10), DeviceID: fmt.Sprintf("dev-%07d", i),
					At: t0.Add(time.Duration(n) * time.Second)}
				if inst == 0 {
					c.Battery = ptrTo(r + 1)
				} else {
					c.State = map[string]json.RawMessage{"mode": json.RawMessage(fmt.Sprintf(`{"type":"m%d"}`, r))}
				}
				batches[inst] = append(batches[inst], &ingestReq{item: IngestItem{Activity: newActivity(n, time.Duration(n)*time.Second),
					Body: []byte(`{}`), Live: &c}, done: make(chan struct{})})
			}
		}
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for inst := range batches {
			wg.Go(func() { <-start; errs[inst] = st[inst].ingest.write(batches[inst]) })
		}
		close(start)
		wg.Wait()
		for inst, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d: %v", r, inst, err)
			}
		}
	}
	for i := range devices {
		d, err := st[1].Device(t.Context(), fmt.Sprintf("dev-%07d", i))
		must(t, err)
		var status struct {
			Mode struct {
				Type string `json:"type"`
			} `json:"mode"`
		}
		must(t, json.Unmarshal([]byte(d.State), &status))
		if d.Battery == nil || *d.Battery != rounds || status.Mode.Type != fmt.Sprintf("m%d", rounds-1) {
			t.Errorf("%s: battery %v, status %s; want battery %d and mode m%d", d.ID, fmt.Sprint(d.Battery), d.State, rounds, rounds-1)
		}
	}
}
