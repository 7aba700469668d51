package db

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The projection: waiting journal rows become activities, full-text rows, bodies, mirror and live-mark changes,
// and are marked projected, all in one transaction. A crash before the commit leaves the rows waiting (nothing
// applied); after it, they are projected (nothing applied twice).

// sortByID orders requests by their ids: the delivery order.
func sortByID(reqs []*ingestReq) {
	slices.SortFunc(reqs, func(a, b *ingestReq) int { return cmp.Compare(a.res.ID, b.res.ID) })
}

// Project writes the activities of waiting journal rows: items[i].Activity.ID is the row's id, and the items go
// in that order (the delivery order). It returns each item's result (Hub, Device) once committed, and on
// PostgreSQL notifies the other instances in the same transaction, as an ingest batch does. Rows that are not
// waiting any more (another projector took them) make the whole call ErrConflict, which applies nothing.
func (s *Store) Project(ctx context.Context, items []IngestItem) ([]IngestResult, error) {
	if len(items) == 0 {
		return nil, nil
	}
	reqs := make([]*ingestReq, len(items))
	for i, it := range items {
		if err := it.Activity.validate(); err != nil {
			return nil, fmt.Errorf("db: project journal row %d: %w", it.Activity.ID, err)
		}
		reqs[i] = &ingestReq{item: it, res: IngestResult{ID: it.Activity.ID}}
	}
	var err error
	if s.dialect == dialectSQLite {
		behind := s.ingest.now().Sub(items[0].Activity.ReceivedAt) >= ProjectBehind // items go oldest first
		err = s.ingest.submitProjection(ctx, behind, func() error { return s.project(ctx, reqs) })
	} else {
		err = s.project(ctx, reqs)
		for try := 1; try < ingestTries && isRetryable(err); try++ {
			err = s.project(ctx, reqs)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("db: project %d journal rows: %w", len(items), err)
	}
	out := make([]IngestResult, len(reqs))
	for i, req := range reqs {
		out[i] = req.res
	}
	s.ingest.projected.Add(uint64(len(reqs)))
	return out, nil
}

func (s *Store) project(ctx context.Context, reqs []*ingestReq) error {
	tx, err := s.w.BeginTxx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	for _, req := range reqs {
		req.res = IngestResult{ID: req.res.ID}
	}
	if err := markProjected(ctx, tx, reqs); err != nil {
		return err
	}
	in := s.ingest
	if err := in.insertFull(ctx, tx, reqs); err != nil {
		return err
	}
	if err := applyChanges(ctx, tx, reqs, time.Now()); err != nil {
		return err
	}
	if err := in.announceTx(ctx, tx, reqs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// markProjected marks the rows of reqs projected and drops their bytes (the activity keeps its body). First in
// the transaction: on PostgreSQL it locks the rows, so a second projector (a leader change) waits and then finds
// them taken.
func markProjected(ctx context.Context, tx *dbTx, reqs []*ingestReq) error {
	ids := make([]int64, len(reqs))
	for i, req := range reqs {
		ids[i] = req.res.ID
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE webhook_journal SET projected = 1, body = NULL
		WHERE projected = 0 AND id IN (`+jsonValues(tx.DriverName(), true)+`)`, string(arg))
	if err != nil {
		return fmt.Errorf("mark projected: %w", err)
	}
	if n, _ := res.RowsAffected(); n != int64(len(reqs)) {
		return fmt.Errorf("%d of %d rows no longer waiting: %w", int64(len(reqs))-n, len(reqs), ErrConflict)
	}
	return nil
}

// SetAside moves a waiting journal row the projector cannot turn into an activity (its bytes no longer parse: a
// parser changed between append and projection) to the webhook inbox, as unparseable with detail, so an admin sees
// it and can re-process it, and the projection goes on behind it. The row leaves the journal, and its dedupe key
// with it, so the inbox's re-process can store it later. ErrConflict when the row is not waiting any more.
func (s *Store) SetAside(ctx context.Context, row JournalRow, detail string) (int64, error) {
	tx, err := s.w.BeginTxx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return 0, fmt.Errorf("db: set journal row %d aside: %w", row.ID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM webhook_journal WHERE id = ? AND projected = 0`, row.ID)
	if err != nil {
		return 0, fmt.Errorf("db: set journal row %d aside: %w", row.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, fmt.Errorf("db: set journal row %d aside: not waiting: %w", row.ID, ErrConflict)
	}
	body := row.Body
	if body == nil {
		body = []byte{}
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO webhook_inbox (received_at, status, reason, detail, verified,
			remote_addr, webhook_id, body, body_size, truncated, suppressed)
		VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, 0) RETURNING id`,
		ms(row.ReceivedAt), InboxFailed, ReasonUnparseable, detail, row.Verified, row.SignatureID, body, len(body), false); err != nil {
		return 0, fmt.Errorf("db: set journal row %d aside: %w", row.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("db: set journal row %d aside: %w", row.ID, err)
	}
	return id, nil
}
