package work

import (
	"context"
	"log/slog"
	"time"

	"github.com/beianbot/beianbot/internal/store"
)

// Rule is one pacing limit a send must keep: slots under Key are Interval
// apart, with up to Burst booked ahead of that schedule (see
// store.Reserver).
type Rule struct {
	Key      string
	Interval time.Duration
	Burst    time.Duration
}

// Pacer books sending slots. With a shared store, every replica books
// from one schedule; otherwise from a table in the process.
type Pacer struct {
	shared store.Reserver // nil: local only
	local  *store.Slots
	logger *slog.Logger
}

// NewPacer returns a pacer that books through st when it is a store
// shared between replicas (anything but the in-process *store.Memory that
// implements store.Reserver), and on a table of its own, read with now,
// otherwise.
func NewPacer(st store.Store, now func() time.Time, logger *slog.Logger) *Pacer {
	p := &Pacer{local: store.NewSlots(now), logger: logger}
	if _, inProcess := st.(*store.Memory); !inProcess {
		p.shared, _ = st.(store.Reserver)
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	return p
}

// Reserve books one slot for every rule with a positive Interval and
// returns the longest wait among them.
func (p *Pacer) Reserve(ctx context.Context, rules ...Rule) time.Duration {
	var wait time.Duration
	for _, r := range rules {
		if r.Interval <= 0 {
			continue
		}
		w, err := p.reserve(ctx, r)
		if err != nil {
			p.logger.Warn("shared pacing failed; pacing in this process", "key", r.Key, "err", err)
			w, _ = p.local.Reserve(ctx, r.Key, r.Interval, r.Burst)
		}
		wait = max(wait, w)
	}
	return wait
}

func (p *Pacer) reserve(ctx context.Context, r Rule) (time.Duration, error) {
	if p.shared != nil {
		return p.shared.Reserve(ctx, r.Key, r.Interval, r.Burst)
	}
	return p.local.Reserve(ctx, r.Key, r.Interval, r.Burst)
}
