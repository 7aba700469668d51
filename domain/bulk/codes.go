package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// Lock is one lock a bulk code goes to.
type Lock struct {
	ID    string
	Label string // "Front door · 12 Elm St", as the page lists it
}

// CodeGroup is the locks of one hub at one property: one upstream code covers them, its dates read in the hub's
// zone (Request carries them; its lock fields are filled in here).
type CodeGroup struct {
	PropertyID int64
	Locks      []Lock
	Request    smarthome.LockCodeRequest
}

// CodeAction is one code (one name, PIN and validity) for many locks.
type CodeAction struct {
	Token  string
	Name   string
	By     int64
	Groups []CodeGroup
}

// StartCode records the action (one item per lock, all queued) and sends its groups in the background. Over
// MaxItems locks it is ErrTooMany and nothing is stored or sent; a token seen before returns that action and sends
// nothing (created false).
func (s *Service) StartCode(ctx context.Context, a CodeAction) (db.BulkAction, bool, error) {
	if !s.codes.CanIssue() {
		return db.BulkAction{}, false, fmt.Errorf("bulk: issue codes: %w", errNoKey)
	}
	rec := db.BulkAction{Kind: db.BulkCode, Token: a.Token, Label: a.Name, RequestedBy: &a.By}
	for g, grp := range a.Groups {
		req := withLocks(grp.Request, grp.Locks)
		req.Code = ""
		stored, err := json.Marshal(req)
		if err != nil {
			return db.BulkAction{}, false, fmt.Errorf("bulk: encode request: %w", err)
		}
		for _, l := range grp.Locks {
			rec.Items = append(rec.Items, db.BulkItem{Group: g, PropertyID: grp.PropertyID, DeviceID: l.ID, Label: l.Label,
				Request: string(stored)})
		}
	}
	b, created, err := s.create(ctx, rec)
	if err != nil || !created {
		return b, false, err
	}
	sends := make([]codeSend, len(a.Groups))
	for _, it := range b.Items {
		g := &sends[it.Group]
		g.propertyID, g.seqs = it.PropertyID, append(g.seqs, it.Seq)
		g.req = withLocks(a.Groups[it.Group].Request, a.Groups[it.Group].Locks)
	}
	s.start(b.ID, func(ctx context.Context) { s.sendCodes(ctx, b.ID, a.By, sends) })
	return b, true, nil
}

var errNoKey = errors.New("no lock-code key configured")

// withLocks points a request at its locks: one device, or several.
func withLocks(req smarthome.LockCodeRequest, locks []Lock) smarthome.LockCodeRequest {
	req.DeviceID, req.DeviceIDs, req.PropertyID, req.HubID = "", nil, 0, ""
	if len(locks) == 1 {
		req.DeviceID = locks[0].ID
		return req
	}
	for _, l := range locks {
		req.DeviceIDs = append(req.DeviceIDs, l.ID)
	}
	return req
}

// codeSend is one upstream create: the request (with its PIN) and the items it stands for.
type codeSend struct {
	propertyID int64
	seqs       []int
	req        smarthome.LockCodeRequest
}

// sendCodes creates each group's code upstream and mirrors it (StoreNew hands it to the tracker, which follows the
// locks' answers), recording per group what happened.
func (s *Service) sendCodes(ctx context.Context, id, by int64, sends []codeSend) {
	s.each(len(sends), func(i int) {
		g := sends[i]
		lc, err := s.codes.Create(ctx, g.req)
		if err != nil {
			s.set(ctx, id, g.seqs, db.BulkFailed, "", Reason(err))
			return
		}
		if err := s.codes.StoreNew(ctx, g.propertyID, lc, by, time.Now().UTC()); err != nil {
			s.set(ctx, id, g.seqs, db.BulkFailed, "", "not stored here, so withdrawn upstream")
			return
		}
		s.set(ctx, id, g.seqs, db.BulkSent, lc.ID, "")
	})
}

// Reason says in a few words why the upstream did not take a request.
func Reason(err error) string {
	var apiErr *smarthome.ErrorResponse
	switch {
	case errors.As(err, &apiErr):
		return upstream.Message(err)
	case errors.Is(err, context.DeadlineExceeded):
		return "the Smart Home service did not answer in time"
	}
	return "the Smart Home service could not be reached"
}
