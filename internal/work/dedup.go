package work

import (
	"context"
	"log/slog"
	"time"

	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// Dedup recognises work a platform delivers more than once (retries,
// redeliveries to another replica, replayed requests).
type Dedup struct {
	Store    store.Store
	TTL      time.Duration
	Platform string
	Metrics  *metrics.Metrics // may be nil
	Logger   *slog.Logger     // may be nil
}

// First records key and reports whether it is new. When the store fails
// the work is done anyway: a rare double answer beats a lost one.
func (d Dedup) First(ctx context.Context, key string) bool {
	first, err := d.Store.FirstSeen(ctx, key, d.TTL)
	if err != nil {
		if d.Logger != nil {
			d.Logger.Warn("dedup store failed; handling the delivery", "key", key, "err", err)
		}
		return true
	}
	if !first {
		d.Metrics.DedupHit(d.Platform)
		if d.Logger != nil {
			d.Logger.Debug("already handled", "key", key)
		}
	}
	return first
}
