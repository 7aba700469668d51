package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reprocess is an admin re-processing an inbox entry whose body reads: the activity it becomes and what it says
// about the mirror.
type Reprocess struct {
	InboxID  int64
	Activity Activity   // its DedupeKey is the one a verified delivery of the same event is stored under
	AltKeys  [][32]byte // other keys a verified delivery of it may have been stored under
	Body     []byte
	Live     *LiveChange // applied at once only with Apply
	Apply    bool        // the entry's sender was verified, so there is nothing to confirm
	By       string      // the admin's email
	At       time.Time
}

// ReprocessResult says what re-processing or confirming an inbox entry did.
type ReprocessResult struct {
	ActivityID int64
	Duplicate  bool // the event was in the log already: nothing was stored or changed
	Held       bool // stored unverified; its change to the mirror waits for ConfirmInbox
	Hub        *HubChange
	Device     *DeviceChange
}

// ReprocessInbox turns a failed inbox entry into an activity, in one transaction with marking the entry processed.
// An event already in the log (under any of its keys: a replay of a stored delivery, another kept copy) is not
// stored again. Without Apply the activity's change to the mirror is held, and nothing but the log changes. An entry
// no longer failed is ErrConflict; an unknown one ErrNotFound.
func (s *Store) ReprocessInbox(ctx context.Context, p Reprocess) (ReprocessResult, error) {
	if err := p.Activity.validate(); err != nil {
		return ReprocessResult{}, fmt.Errorf("db: re-process inbox entry %d: %w", p.InboxID, err)
	}
	var res ReprocessResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		var status string
		if err := tx.GetContext(ctx, &status, `SELECT status FROM webhook_inbox WHERE id = ?`, p.InboxID); err != nil {
			return notFound(err)
		}
		if status != InboxFailed {
			return fmt.Errorf("already %s: %w", status, ErrConflict)
		}
		id, err := activityByKeys(ctx, tx, append([][32]byte{p.Activity.DedupeKey}, p.AltKeys...))
		switch {
		case err == nil:
			res = ReprocessResult{ActivityID: id, Duplicate: true}
		case errors.Is(err, ErrNotFound):
			res, err = s.storeReprocessed(ctx, tx, p)
			if err != nil {
				return err
			}
		default:
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_inbox SET status = 'processed', activity_id = ?, processed_at = ?,
			processed_by = ?, attempts = attempts + 1 WHERE id = ?`, res.ActivityID, ms(p.At), p.By, p.InboxID)
		return err
	})
	if err != nil {
		return ReprocessResult{}, fmt.Errorf("db: re-process inbox entry %d: %w", p.InboxID, err)
	}
	return res, nil
}

// storeReprocessed inserts the activity, its body and its search entry, and records that it came from the inbox
// (held, unless p.Apply: then its change is applied now).
func (s *Store) storeReprocessed(ctx context.Context, tx *dbTx, p Reprocess) (ReprocessResult, error) {
	req := &ingestReq{item: IngestItem{Activity: p.Activity, Body: p.Body}}
	fresh, err := appendJournal(ctx, tx, []*ingestReq{req}) // the id comes from the journal, as every activity's
	if err == nil && len(fresh) == 0 {                      // activityByKeys just found none, and tx is the only writer
		err = fmt.Errorf("activity not inserted")
	}
	if err == nil {
		err = s.ingest.insertFull(ctx, tx, fresh)
	}
	if err != nil {
		return ReprocessResult{}, err
	}
	res := ReprocessResult{ActivityID: req.res.ID, Held: !p.Apply}
	var appliedBy string
	var appliedAt *time.Time
	if p.Apply {
		appliedBy, appliedAt = p.By, &p.At
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_activities (activity_id, inbox_id, processed_by, processed_at,
		applied_by, applied_at) VALUES (?, ?, ?, ?, ?, ?)`, res.ActivityID, p.InboxID, p.By, ms(p.At), appliedBy,
		nullMS(appliedAt)); err != nil {
		return ReprocessResult{}, fmt.Errorf("record re-processed activity: %w", err)
	}
	if p.Apply && p.Live != nil {
		if res.Hub, res.Device, err = applyOne(ctx, tx, *p.Live, p.At); err != nil {
			return ReprocessResult{}, err
		}
	}
	return res, nil
}

// ConfirmInbox applies the held change of a processed entry's activity to the mirror: an admin, shown why the
// delivery was rejected, vouched for it. live is the change its body reports. An entry whose activity is not held
// (applied already, or the event was delivered verified) is ErrConflict; an unknown or unprocessed one ErrNotFound.
func (s *Store) ConfirmInbox(ctx context.Context, inboxID int64, live *LiveChange, by string, at time.Time) (ReprocessResult, error) {
	var res ReprocessResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &res.ActivityID, `SELECT activity_id FROM webhook_inbox
			WHERE id = ? AND status = 'processed' AND activity_id IS NOT NULL`, inboxID); err != nil {
			return notFound(err)
		}
		if err := markApplied(ctx, tx, res.ActivityID, by, at); err != nil {
			return err
		}
		if live == nil {
			return nil
		}
		var err error
		res.Hub, res.Device, err = applyOne(ctx, tx, *live, at)
		return err
	})
	if err != nil {
		return ReprocessResult{}, fmt.Errorf("db: confirm inbox entry %d: %w", inboxID, err)
	}
	return res, nil
}

// activityByKeys returns the first activity stored under one of keys, or ErrNotFound. It reads the journal: a
// delivery still waiting for the projector is in the log already, under the id it will have.
func activityByKeys(ctx context.Context, tx *dbTx, keys [][32]byte) (int64, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k[:]
	}
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM webhook_journal WHERE dedupe_key IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")+`) ORDER BY id LIMIT 1`, args...)
	return id, notFound(err)
}

// applyOne applies one live change to the mirror inside tx, as the ingester applies a batch's (live marks included:
// an old change never rolls newer state back).
func applyOne(ctx context.Context, tx *dbTx, c LiveChange, now time.Time) (*HubChange, *DeviceChange, error) {
	marks := newMarkCache(tx, now)
	if err := marks.prefetch(ctx, []*ingestReq{{item: IngestItem{Live: &c}}}); err != nil {
		return nil, nil, fmt.Errorf("mirror: %w", err)
	}
	hc, dc, err := applyLive(marks, c)
	if err != nil {
		return nil, nil, fmt.Errorf("mirror: %w", err)
	}
	if err := marks.flush(ctx); err != nil {
		return nil, nil, fmt.Errorf("mirror: %w", err)
	}
	return hc, dc, nil
}
