package db

import (
	"context"
	"fmt"
	"time"
)

// SilenceHubs marks offline every hub the mirror shows online whose last sign of life by webhook (a heartbeat, or
// an online event) was received before cutoff, and returns them as they now are. Hubs that never sent a heartbeat
// by webhook are not judged: the real upstream may not send heartbeats at all, and then the sync's word stands.
// A later heartbeat brings a silenced hub back online.
func (s *Store) SilenceHubs(ctx context.Context, cutoff time.Time) ([]Hub, error) {
	rows := []hubRow{}
	err := s.w.SelectContext(ctx, &rows, `UPDATE hubs SET online = 0, status = 'Offline'
		WHERE online = 1 AND id IN (
			SELECT substr(entity, 5) FROM live_marks WHERE field = 'alive' AND seen_at < ? AND entity LIKE 'hub:%')
		RETURNING `+hubCols, ms(cutoff))
	if err != nil {
		return nil, fmt.Errorf("db: silence hubs: %w", err)
	}
	hubs := make([]Hub, len(rows))
	for i, r := range rows {
		hubs[i] = r.hub()
	}
	return hubs, nil
}
