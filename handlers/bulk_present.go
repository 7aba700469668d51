package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/views"
)

// progressData maps a bulk action's progress to its view.
func (b *bulkRoutes) progressData(ctx context.Context, p bulk.Progress) views.BulkProgressData {
	id := p.Action.ID
	d := views.BulkProgressData{Summary: bulkSummary(p), Kind: "warn"}
	switch {
	case p.Done && p.Failed == 0:
		d.Kind = "ok"
	case p.Done:
		d.Kind = "danger"
	}
	if !p.Done {
		d.PollURL = bulkURL(id) + "/progress"
	}
	if p.RetryFailed {
		d.RetryURL = bulkURL(id) + "/retry"
	}
	switch {
	case p.Running:
		d.Note = fmt.Sprintf("Sending, %d at a time…", bulk.Concurrency)
	case p.Interrupted:
		d.Note = "The dashboard stopped before sending some items; they are shown failed (interrupted) and may be retried."
	}
	names := &propertyNames{ctx: ctx, store: b.d.Store, names: map[int64]string{}}
	for _, it := range p.Items {
		row := views.BulkItemData{Label: it.Label, Property: names.name(it.PropertyID), Status: it.Status,
			Text: bulkItemText(p.Action.Kind, it), Reason: it.Reason}
		switch {
		case p.Action.Kind == db.BulkMoveOut && it.RefID != 0:
			row.Link = "/move-outs/" + strconv.FormatInt(it.RefID, 10)
		case p.Action.Kind != db.BulkMoveOut:
			row.Link = lcPropertyPath(it.PropertyID) + "/lock-codes"
		}
		d.Items = append(d.Items, row)
	}
	return d
}

// bulkSummary is the one line a bulk action comes down to: "Set on 38 of 40; 2 failed: hub offline".
func bulkSummary(p bulk.Progress) string {
	total := len(p.Items)
	var s string
	switch p.Action.Kind {
	case db.BulkRevoke:
		s = fmt.Sprintf("Removed %d of %d codes", p.OK, total)
	case db.BulkMoveOut:
		s = fmt.Sprintf("Moved out at %d of %d properties", p.OK, total)
	default:
		s = fmt.Sprintf("Set on %d of %d", p.OK, total)
	}
	if p.Failed > 0 {
		var parts []string
		for _, r := range p.Reasons {
			if len(p.Reasons) == 1 {
				parts = append(parts, r.Reason)
			} else {
				parts = append(parts, fmt.Sprintf("%d %s", r.N, r.Reason))
			}
		}
		s += fmt.Sprintf("; %d failed: %s", p.Failed, strings.Join(parts, ", "))
	}
	if p.Pending > 0 {
		s += fmt.Sprintf("; %d pending", p.Pending)
	}
	return s
}

func bulkItemText(kind string, it bulk.Item) string {
	switch it.Status {
	case bulk.StatusOK:
		switch kind {
		case db.BulkRevoke:
			return "removed"
		case db.BulkMoveOut:
			return "moved out"
		}
		return "set"
	case bulk.StatusFailed:
		if it.State == db.BulkInterrupted {
			return "interrupted"
		}
		return "failed"
	}
	if it.State == db.BulkQueued {
		return "sending…"
	}
	return "waiting for the locks"
}
