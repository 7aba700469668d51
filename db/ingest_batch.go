package db

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A batch is written with a few multi-row statements rather than statements per delivery: the per-statement cost
// (cgo, database/sql, SQLite's step) is what limits a single writer, not the B-tree work itself.

// rowsPerStatement bounds one multi-row INSERT (activityInsertArity variables a row, far below SQLite's 32,766).
const rowsPerStatement = 100

// activityInsertArity is the number of activityInsertCols.
const activityInsertArity = 19

// activityInsertCols are the columns insertActivities writes, in insertArgs order.
const activityInsertCols = `at, received_at, hub_id, device_id, property_id, device_type, type_inferred, message_type,
	kind, details, details_json, actor, home_name, serial_no, device_name, address, pms_datapull_id, verified, dedupe_key`

// write runs the batch's transaction; on success every request holds its result. An error that concerns one
// item is an errItem, so that commit can retry the batch item by item. Every request takes its id from the journal
// (appendJournal); an append stops there, while an Ingest item is written through to its activity at once.
func (in *ingester) write(batch []*ingestReq) error {
	// No deadline: database/sql starts a goroutine to watch every cancellable context (one per transaction and per
	// query, a hundred a batch), and a deadline would buy little: SQLite stops a statement only between steps,
	// never in the middle of a stalled write. BEGIN IMMEDIATE still gives up after the busy timeout (5 s).
	ctx := context.Background()
	tx, err := in.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() // a no-op after Commit
	now := in.now()
	for _, req := range batch {
		switch {
		case req.entry != nil && req.entry.ReceivedAt.IsZero():
			req.entry.ReceivedAt = now
		case req.entry == nil && req.item.Activity.ReceivedAt.IsZero():
			req.item.Activity.ReceivedAt = now
		}
	}
	fresh, err := appendJournal(ctx, tx, batch)
	if err != nil {
		return errItem{err}
	}
	var direct []*ingestReq // new Ingest items: their activities are written now
	appended := false
	for _, req := range fresh {
		if req.entry == nil {
			direct = append(direct, req)
		} else {
			appended = true
		}
	}
	if appended {
		if err := in.announceJournalTx(ctx, tx); err != nil {
			return err
		}
	}
	if err := in.insertFull(ctx, tx, direct); err != nil {
		return err
	}
	if err := markHeld(ctx, tx, batch); err != nil {
		return fmt.Errorf("held activities: %w", err)
	}
	released, err := releaseHeld(ctx, tx, batch, now)
	if err != nil {
		return fmt.Errorf("held activities: %w", err)
	}
	changes := direct
	if len(released) > 0 {
		changes = slices.Concat(direct, released)
	}
	if err := applyChanges(ctx, tx, changes, now); err != nil {
		return err
	}
	// In the transaction: PostgreSQL delivers the NOTIFY on commit only, so listeners hear of exactly the rows
	// that exist, and no crash between commit and notify can lose it (notify.go).
	if err := in.announceTx(ctx, tx, changes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertFull writes the activities of reqs (their ids already taken from the journal), their bodies and their
// search entries.
func (in *ingester) insertFull(ctx context.Context, tx *dbTx, reqs []*ingestReq) error {
	if len(reqs) == 0 {
		return nil
	}
	if err := insertActivities(ctx, tx, reqs); err != nil {
		return errItem{err}
	}
	if err := insertBodies(ctx, tx, reqs); err != nil {
		return errItem{err}
	}
	return in.index(ctx, tx, reqs)
}

// applyChanges applies the live changes of reqs to the mirror, in their order, and sets their results' Hub and
// Device.
func applyChanges(ctx context.Context, tx *dbTx, reqs []*ingestReq, now time.Time) error {
	marks := newMarkCache(tx, now)
	if err := marks.prefetch(ctx, reqs); err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	var err error
	for _, req := range reqs {
		if req.item.Live == nil {
			continue
		}
		if req.res.Hub, req.res.Device, err = applyLive(marks, *req.item.Live); err != nil {
			return errItem{fmt.Errorf("mirror: %w", err)}
		}
	}
	return marks.flush(ctx)
}

// index adds the activities of reqs, just inserted by tx, to the search index (when there is one). By id, not by
// range: the journal hands out ids, so a batch's ids need not be contiguous.
func (in *ingester) index(ctx context.Context, tx *dbTx, reqs []*ingestReq) error {
	if !in.fts.Load() || len(reqs) == 0 {
		return nil
	}
	ids := make([]int64, len(reqs))
	for i, req := range reqs {
		ids[i] = req.res.ID
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO activities_fts (rowid, details, actor, device_name, home_name)
		SELECT id, details, actor, device_name, home_name FROM activities WHERE id IN (SELECT value FROM json_each(?))`, string(arg)); err != nil {
		return fmt.Errorf("index activities: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE activities_fts_state SET last_id = max(last_id, ?) WHERE id = 1`, slices.Max(ids)); err != nil {
		return fmt.Errorf("fts state: %w", err)
	}
	return nil
}

// insertActivities inserts the activities of reqs under the ids their journal rows took.
func insertActivities(ctx context.Context, tx *dbTx, reqs []*ingestReq) error {
	for start := 0; start < len(reqs); start += rowsPerStatement {
		chunk := reqs[start:min(start+rowsPerStatement, len(reqs))]
		args := make([]any, 0, len(chunk)*(activityInsertArity+1))
		for _, req := range chunk {
			args = append(args, req.res.ID)
			args = append(args, req.item.Activity.insertArgs()...)
		}
		q := `INSERT INTO activities (id, ` + activityInsertCols + `) VALUES ` + placeholders(len(chunk), activityInsertArity+1)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert activities: %w", err)
		}
	}
	return nil
}

// scanKeys runs a query returning (id, dedupe_key) rows and hands each to fn.
func scanKeys(ctx context.Context, tx *dbTx, q string, args []any, fn func(int64, [32]byte)) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key []byte
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		var k [32]byte
		copy(k[:], key)
		fn(id, k)
	}
	return rows.Err()
}

// insertBodies stores the delivered bytes of the new activities.
func insertBodies(ctx context.Context, tx *dbTx, fresh []*ingestReq) error {
	for start := 0; start < len(fresh); start += rowsPerStatement {
		chunk := fresh[start:min(start+rowsPerStatement, len(fresh))]
		args := make([]any, 0, 2*len(chunk))
		for _, req := range chunk {
			body := req.item.Body
			if body == nil {
				return fmt.Errorf("activity %d: no body", req.res.ID)
			}
			args = append(args, req.res.ID, body)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_bodies (activity_id, body) VALUES `+placeholders(len(chunk), 2), args...); err != nil {
			return fmt.Errorf("insert bodies: %w", err)
		}
	}
	return nil
}

// placeholders is "(?, ?), (?, ?)" for rows of cols.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// markCache holds what the mirror updates of one batch share: its transaction, the hubs and devices they change
// and the live marks they read and move (statements are compiled once per connection by the driver's cache). All of
// these are read at the start of the batch, a query each (prefetch), changed in memory in delivery order, and
// written at the end: one UPDATE per changed hub or device, one statement per rowsPerStatement marks.
type markCache struct {
	tx      *dbTx
	now     time.Time
	byID    map[string]map[string]int64
	pending map[[2]string]int64 // (entity, field) → newest at moved to
	hubs    map[string]*Hub     // nil: not in the mirror
	devices map[string]*Device
	dirty   map[string]bool // "hub:<id>" or "device:<id>" changed in this batch
}

func newMarkCache(tx *dbTx, now time.Time) *markCache {
	return &markCache{tx: tx, now: now, byID: map[string]map[string]int64{}, pending: map[[2]string]int64{},
		hubs: map[string]*Hub{}, devices: map[string]*Device{}, dirty: map[string]bool{}}
}

// marksOf returns an entity's marks as prefetch read them (an entity prefetch did not see has none yet).
func (c *markCache) marksOf(entity string) map[string]int64 {
	m, ok := c.byID[entity]
	if !ok {
		m = map[string]int64{}
		c.byID[entity] = m
	}
	return m
}

// move records that field of entity took a value at activity time at.
func (c *markCache) move(entity, field string, at int64) {
	m := c.byID[entity]
	m[field] = max(m[field], at)
	k := [2]string{entity, field}
	c.pending[k] = max(c.pending[k], at)
}

// flush writes the changed hubs and devices, then every moved mark in one statement per rowsPerStatement marks.
func (c *markCache) flush(ctx context.Context) error {
	if err := c.flushRows(ctx); err != nil {
		return err
	}
	args := make([]any, 0, 4*len(c.pending))
	n := 0
	write := func() error {
		if n == 0 {
			return nil
		}
		_, err := c.tx.ExecContext(ctx, `INSERT INTO live_marks (entity, field, at, seen_at) VALUES `+placeholders(n, 4)+`
			ON CONFLICT (entity, field) DO UPDATE SET
			at = CASE WHEN excluded.at > live_marks.at THEN excluded.at ELSE live_marks.at END, seen_at = excluded.seen_at`, args...)
		args, n = args[:0], 0
		return err
	}
	for _, k := range slices.SortedFunc(maps.Keys(c.pending), compareMarkKeys) { // in key order, as flushRows
		args = append(args, k[0], k[1], c.pending[k], ms(c.now))
		if n++; n == rowsPerStatement {
			if err := write(); err != nil {
				return fmt.Errorf("live marks: %w", err)
			}
		}
	}
	if err := write(); err != nil {
		return fmt.Errorf("live marks: %w", err)
	}
	return nil
}

func compareMarkKeys(a, b [2]string) int {
	return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
}
