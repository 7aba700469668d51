package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The webhook journal (migrations 0013). A webhook is acknowledged once its delivery is appended here: a row with
// its dedupe key, its bytes and what verifying it found, written by the group-commit writer in one multi-row
// INSERT per batch. The projector (Project) turns waiting rows into activities behind it. A journal row's id is its
// activity's id, so the answer to the sender, the live push and the log agree on one number; every activity takes
// its id from here (Append, Ingest, the inbox's re-process), so no two paths can hand out the same one.

// journalArity is the number of columns appendJournal writes a row.
const journalArity = 6

// JournalEntry is one verified, parsed delivery as the request path appends it: enough to build its activity
// later (the bytes parse again to the same event).
type JournalEntry struct {
	DedupeKey   [32]byte
	ReceivedAt  time.Time
	Body        []byte
	Verified    bool   // carried a valid token or signature
	SignatureID string // the verified webhook-id, when signed
}

// JournalRow is a waiting journal row, for the projector.
type JournalRow struct {
	ID int64
	JournalEntry
}

// Append adds a delivery to the journal through the group-commit writer and returns once its batch has
// committed: the delivery is then durable, and its ID is the activity it will become. A duplicate (same key,
// projected or waiting) changes nothing and carries the first delivery's ID. Held reports a verified duplicate of
// an activity logged, held, from the webhook inbox: send its item through Ingest, which releases the hold when the
// bytes match.
func (s *Store) Append(ctx context.Context, e JournalEntry) (IngestResult, error) {
	if len(e.Body) == 0 {
		return IngestResult{}, fmt.Errorf("db: journal: no body")
	}
	res, err := s.ingest.submit(ctx, &ingestReq{entry: &e, done: make(chan struct{})})
	if err != nil && err != ErrClosed && ctx.Err() == nil {
		return IngestResult{}, fmt.Errorf("db: journal: %w", err)
	}
	return res, err
}

// journalArgs are a request's journal row: waiting with its bytes (an append), or projected already (an activity
// written in the same transaction).
func (req *ingestReq) journalArgs() (key [32]byte, args []any) {
	if e := req.entry; e != nil {
		return e.DedupeKey, []any{e.DedupeKey[:], ms(e.ReceivedAt), e.Body, e.Verified, e.SignatureID, false}
	}
	a := req.item.Activity
	return a.DedupeKey, []any{a.DedupeKey[:], ms(a.ReceivedAt), nil, a.Verified, "", true}
}

// appendJournal inserts the batch's journal rows, skipping dedupe keys already in the journal or repeated in the
// batch, sets every request's result (ID, Duplicate), and returns the requests that were new, in id order.
func appendJournal(ctx context.Context, tx *dbTx, batch []*ingestReq) ([]*ingestReq, error) {
	firstOf := make(map[[32]byte]*ingestReq, len(batch))
	var uniq []*ingestReq
	for _, req := range batch {
		req.res = IngestResult{}
		if k, _ := req.journalArgs(); firstOf[k] == nil {
			firstOf[k] = req
			uniq = append(uniq, req)
		}
	}
	var fresh []*ingestReq
	for start := 0; start < len(uniq); start += rowsPerStatement {
		chunk := uniq[start:min(start+rowsPerStatement, len(uniq))]
		args := make([]any, 0, len(chunk)*journalArity)
		for _, req := range chunk {
			_, a := req.journalArgs()
			args = append(args, a...)
		}
		q := `INSERT INTO webhook_journal (dedupe_key, received_at, body, verified, signature_id, projected) VALUES ` +
			placeholders(len(chunk), journalArity) + ` ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key`
		if err := scanKeys(ctx, tx, q, args, func(id int64, key [32]byte) {
			if req := firstOf[key]; req != nil {
				req.res.ID = id
				fresh = append(fresh, req)
			}
		}); err != nil {
			return nil, fmt.Errorf("append to the journal: %w", err)
		}
	}
	if err := findDuplicates(ctx, tx, uniq, firstOf); err != nil {
		return nil, err
	}
	for _, req := range batch {
		k, _ := req.journalArgs()
		if first := firstOf[k]; first != req {
			req.res = IngestResult{ID: first.res.ID, Duplicate: true}
		}
		if req.res.ID == 0 {
			return nil, fmt.Errorf("journal row received at %d: no id", ms(req.journalTime()))
		}
	}
	// RETURNING gives no order: the batch's writes (the activities, the mirror) go in id order, the delivery order.
	sortByID(fresh)
	return fresh, nil
}

func (req *ingestReq) journalTime() time.Time {
	if req.entry != nil {
		return req.entry.ReceivedAt
	}
	return req.item.Activity.ReceivedAt
}

// findDuplicates sets the results of the requests of uniq the insert skipped: their keys were in the journal.
func findDuplicates(ctx context.Context, tx *dbTx, uniq []*ingestReq, firstOf map[[32]byte]*ingestReq) error {
	var known []any
	for _, req := range uniq {
		if req.res.ID == 0 {
			k, _ := req.journalArgs()
			known = append(known, k[:])
		}
	}
	for start := 0; start < len(known); start += rowsPerStatement {
		chunk := known[start:min(start+rowsPerStatement, len(known))]
		q := `SELECT id, dedupe_key FROM webhook_journal WHERE dedupe_key IN (` + strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",") + `)`
		if err := scanKeys(ctx, tx, q, chunk, func(id int64, key [32]byte) {
			if req := firstOf[key]; req != nil {
				req.res = IngestResult{ID: id, Duplicate: true}
			}
		}); err != nil {
			return fmt.Errorf("duplicate lookup: %w", err)
		}
	}
	return nil
}

// markHeld sets Held on the verified duplicate appends whose original activity is held from the inbox. Batches
// with no verified duplicate append, nearly all of them, cost nothing here.
func markHeld(ctx context.Context, tx *dbTx, batch []*ingestReq) error {
	byID := map[int64][]*ingestReq{}
	var ids []int64
	for _, req := range batch {
		if req.entry != nil && req.entry.Verified && req.res.Duplicate {
			if byID[req.res.ID] == nil {
				ids = append(ids, req.res.ID)
			}
			byID[req.res.ID] = append(byID[req.res.ID], req)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	var held []int64
	if err := tx.SelectContext(ctx, &held, `SELECT activity_id FROM inbox_activities
		WHERE applied_at IS NULL AND activity_id IN (`+jsonValues(tx.DriverName(), true)+`)`, string(arg)); err != nil {
		return err
	}
	for _, id := range held {
		for _, req := range byID[id] {
			req.res.Held = true
		}
	}
	return nil
}

// WaitingJournal returns up to limit journal rows not yet projected, in id order.
func (s *Store) WaitingJournal(ctx context.Context, limit int) ([]JournalRow, error) {
	var rows []struct {
		ID          int64  `db:"id"`
		DedupeKey   []byte `db:"dedupe_key"`
		ReceivedAt  int64  `db:"received_at"`
		Body        []byte `db:"body"`
		Verified    bool   `db:"verified"`
		SignatureID string `db:"signature_id"`
	}
	if err := s.r.SelectContext(ctx, &rows, `SELECT id, dedupe_key, received_at, body, verified, signature_id
		FROM webhook_journal WHERE projected = 0 ORDER BY id LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("db: waiting journal rows: %w", err)
	}
	out := make([]JournalRow, len(rows))
	for i, r := range rows {
		out[i] = JournalRow{ID: r.ID, JournalEntry: JournalEntry{ReceivedAt: fromMS(r.ReceivedAt), Body: r.Body,
			Verified: r.Verified, SignatureID: r.SignatureID}}
		copy(out[i].DedupeKey[:], r.DedupeKey)
	}
	return out, nil
}

// JournalLag is how far the projection is behind the journal.
type JournalLag struct {
	Waiting int       // rows appended, not yet projected
	Oldest  time.Time // when the oldest waiting row arrived; zero when none waits
}

// Age is how long the oldest waiting row has waited at now (0 when none waits).
func (l JournalLag) Age(now time.Time) time.Duration {
	if l.Waiting == 0 || l.Oldest.IsZero() {
		return 0
	}
	return max(now.Sub(l.Oldest), 0)
}

// JournalLag reads the projection's lag (the waiting rows are a partial index: cheap while the lag is small).
func (s *Store) JournalLag(ctx context.Context) (JournalLag, error) {
	var r struct {
		N      int    `db:"n"`
		Oldest *int64 `db:"oldest"`
	}
	if err := s.r.GetContext(ctx, &r, `SELECT count(*) AS n, min(received_at) AS oldest FROM webhook_journal
		WHERE projected = 0`); err != nil {
		return JournalLag{}, fmt.Errorf("db: journal lag: %w", err)
	}
	lag := JournalLag{Waiting: r.N}
	if r.Oldest != nil {
		lag.Oldest = fromMS(*r.Oldest)
	}
	return lag, nil
}

// CheckActivity rejects an activity Ingest or Project would refuse, with a message that names the field: the
// request path checks before it appends, so a row the projector cannot write never enters the journal.
func CheckActivity(a Activity) error { return a.validate() }
