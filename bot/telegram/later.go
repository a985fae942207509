package telegram

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/beianbot/beianbot/bot"
)

// maxLaterTries bounds how often one reply is put back to wait again.
const maxLaterTries = 3

// deferred is the rest of a reply that Telegram told the bot to hold back
// (retry_after) for longer than its work could wait, or whose sending slot
// came too late; it is sent after that time instead of being dropped.
type deferred struct {
	t       target
	rep     bot.Reply
	chunks  []chunk
	replyTo int
	at      time.Time
}

// laterQueue holds deferred replies, oldest first, up to a bound.
type laterQueue struct {
	max int

	mu    sync.Mutex
	items []deferred
	wake  chan struct{} // closed and replaced on push
	cut   int           // items flush could not send, over all calls
}

func newLaterQueue(n int) *laterQueue {
	return &laterQueue{max: max(n, 1), wake: make(chan struct{})}
}

func (q *laterQueue) push(d deferred) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.max {
		return false
	}
	q.items = append(q.items, d)
	close(q.wake)
	q.wake = make(chan struct{})
	return true
}

// requeue puts back an item pop took, whatever the bound: it was counted
// in it already.
func (q *laterQueue) requeue(d deferred) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, d)
}

// pop takes the item that is due first, or reports none and returns the
// channel that signals the next push.
func (q *laterQueue) pop() (deferred, bool, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return deferred{}, false, q.wake
	}
	first := 0
	for i, d := range q.items {
		if d.at.Before(q.items[first].at) {
			first = i
		}
	}
	d := q.items[first]
	q.items = append(q.items[:first], q.items[first+1:]...)
	return d, true, nil
}

// sendLater queues the rest of a reply to be sent after wait.
func (a *Adapter) sendLater(ctx context.Context, t target, rep bot.Reply, chunks []chunk, replyTo int, wait time.Duration, cause error) {
	t.held++
	d := deferred{t: t, rep: rep, chunks: chunks, replyTo: replyTo, at: a.now().Add(wait)}
	if t.held > maxLaterTries || !a.later.push(d) {
		a.logger.LogAttrs(ctx, slog.LevelError, "telegram reply given up: held back too often or too many waiting",
			slog.Int64("chat", t.chatID), slog.String("outcome", string(rep.Outcome)), slog.Int("held", t.held), slog.Any("err", cause))
		return
	}
	a.logger.LogAttrs(ctx, slog.LevelInfo, "telegram reply held back; it will be sent later",
		slog.Int64("chat", d.t.chatID), slog.String("at", d.at.UTC().Format(time.RFC3339)), slog.Any("err", cause))
}

// runLater sends held-back replies when their time comes, until ctx ends.
func (a *Adapter) runLater(ctx context.Context) {
	for ctx.Err() == nil {
		d, ok, wake := a.later.pop()
		if !ok {
			select {
			case <-wake:
			case <-ctx.Done():
			}
			continue
		}
		if a.sleep(ctx, d.at.Sub(a.now())) != nil {
			a.later.requeue(d) // for Drain
			return
		}
		a.sendDeferred(context.WithoutCancel(ctx), d)
	}
}

// sendDeferred sends d within the work timeout; held back again, it goes
// back in the queue.
func (a *Adapter) sendDeferred(ctx context.Context, d deferred) {
	ctx, cancel := context.WithTimeout(ctx, a.followUpTimeout+time.Second)
	defer cancel()
	d.t.unpaced = true // its slot was booked when it was held back
	if a.sendChunks(ctx, d.t, d.rep, d.chunks, d.replyTo) != 0 {
		a.metrics.Reply(bot.PlatformTelegram, string(d.rep.Outcome))
	}
}

// flush sends the held-back replies that come due before ctx's deadline
// and returns how many could not be sent in time, over every call.
func (q *laterQueue) flush(ctx context.Context, a *Adapter) int {
	for {
		d, ok, _ := q.pop()
		if !ok {
			q.mu.Lock()
			defer q.mu.Unlock()
			return q.cut
		}
		wait := d.at.Sub(a.now())
		if dl, has := ctx.Deadline(); (has && time.Until(dl) < wait) || a.sleep(ctx, wait) != nil {
			q.mu.Lock()
			q.cut++
			q.mu.Unlock()
			a.logger.Warn("telegram held-back reply not sent before shutdown", "chat", d.t.chatID, "outcome", string(d.rep.Outcome))
			continue
		}
		a.sendDeferred(ctx, d)
	}
}
