package work

import (
	"context"
	"log/slog"
	"time"

	"github.com/beianbot/beianbot/internal/store"
)

// HandoffTTL is how long handed-off work waits in the shared store for a
// replica to take it.
const HandoffTTL = 10 * time.Minute

// Handoff is the shared queue of one platform's handed-off work.
type Handoff struct {
	Store store.Handoff
	Queue string // e.g. "slack"
}

// SharedHandoff returns st's hand-off queue name when st is a store
// shared between replicas, and false for the in-process *store.Memory,
// whose queue would end with the process.
func SharedHandoff(st store.Store, name string) (Handoff, bool) {
	if _, inProcess := st.(*store.Memory); inProcess {
		return Handoff{}, false
	}
	h, ok := st.(store.Handoff)
	return Handoff{Store: h, Queue: name}, ok
}

// Hand keeps payloads for another replica.
func (h Handoff) Hand(ctx context.Context, payloads [][]byte) error {
	return h.Store.Hand(ctx, h.Queue, payloads, HandoffTTL)
}

// TakeOver runs until ctx ends: every interval, while p has room, it takes
// handed-off work from the queue and submits the job decode makes of it.
// A payload decode cannot use is dropped and logged; one p refuses goes
// back to the queue.
func (h Handoff) TakeOver(ctx context.Context, p *Pool, every time.Duration, decode func([]byte) (Job, bool), logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for p.Room() > 0 && ctx.Err() == nil {
			b, ok, err := h.Store.Take(ctx, h.Queue)
			if err != nil || !ok {
				break
			}
			j, ok := decode(b)
			if !ok {
				logger.Warn("handed-off work not understood; dropped", "queue", h.Queue, "bytes", len(b))
				continue
			}
			if !p.Submit(j) {
				if err := h.Hand(context.WithoutCancel(ctx), [][]byte{b}); err != nil {
					logger.Error("handed-off work lost: no room here and not handed back", "queue", h.Queue, "err", err)
				}
				break
			}
			logger.Info("took over work another replica handed off", "queue", h.Queue)
		}
	}
}
