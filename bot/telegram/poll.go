package telegram

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// pollLimit is how many updates one getUpdates may return.
const pollLimit = 100

// poller owns the long-polling loop. An update's offset is confirmed to
// Telegram (by the next getUpdates) only once the update has been handled,
// i.e. its first answer sent; a domain check's result may follow later,
// as work Run waits for.
type poller struct {
	a         *Adapter
	confirmed int    // the offset Telegram was last given
	batch     *batch // the updates of the last getUpdates
}

// batch tracks which updates of one getUpdates have been handled.
type batch struct {
	ups        []tgbotapi.Update
	handled    []atomic.Bool
	dispatched int
}

// next is the offset that confirms the handled prefix of the batch.
func (b *batch) next() int {
	for i := range b.dispatched {
		if !b.handled[i].Load() {
			return b.ups[i].UpdateID
		}
	}
	if b.dispatched < len(b.ups) {
		return b.ups[b.dispatched].UpdateID
	}
	return b.ups[len(b.ups)-1].UpdateID + 1
}

func (p *poller) offset() int {
	if p.batch == nil {
		return p.confirmed
	}
	return max(p.batch.next(), p.confirmed)
}

// run polls until ctx ends. Errors back off exponentially (or for
// retry_after on a 429); a cancelled ctx cancels the request in flight.
func (p *poller) run(ctx context.Context) {
	a := p.a
	if err := a.api.raw(ctx, "deleteWebhook", nil); err != nil && ctx.Err() == nil {
		a.logger.Warn("telegram deleteWebhook failed; polling may conflict with a webhook", "err", err)
	}
	failures := 0
	for ctx.Err() == nil {
		offset := p.offset()
		pctx, cancel := context.WithTimeout(ctx, a.pollEvery+10*time.Second)
		ups, err := a.api.getUpdates(pctx, offset, pollLimit, a.pollEvery)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := backoff(failures, time.Second, time.Minute)
			if te := apiErr(err); te != nil && te.RetryAfter > 0 {
				wait = time.Duration(te.RetryAfter) * time.Second
			}
			failures++
			a.logger.Warn("telegram getUpdates failed", "err", err, "retry_in", wait.String())
			if a.sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		failures = 0
		p.confirmed = offset
		if len(ups) > 0 {
			p.batch = p.handle(ctx, ups)
		}
	}
}

// handle runs a batch of updates on the workers and waits until each has
// been handled or ctx ends.
func (p *poller) handle(ctx context.Context, ups []tgbotapi.Update) *batch {
	a := p.a
	b := &batch{ups: ups, handled: make([]atomic.Bool, len(ups))}
	var wg sync.WaitGroup
	for i, u := range ups {
		if u.UpdateID < p.confirmed { // already confirmed: Telegram should not resend it
			b.handled[i].Store(true)
			b.dispatched = i + 1
			continue
		}
		t, err := a.work.acquire(ctx)
		if err != nil {
			break
		}
		b.dispatched = i + 1
		wg.Add(1)
		var once sync.Once
		handled := func() {
			once.Do(func() {
				b.handled[i].Store(true)
				wg.Done()
			})
		}
		t.run(ctx, func(ctx context.Context) {
			defer handled()
			if a.firstSeen(ctx, u.UpdateID) {
				a.process(ctx, u, handled)
			}
		})
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return b
}

// confirm tells Telegram which updates were handled before Run returns, so
// that a restart does not answer them again.
func (p *poller) confirm(ctx context.Context) {
	next := p.offset()
	if next <= p.confirmed {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := p.a.api.getUpdates(ctx, next, 1, 0); err != nil {
		p.a.logger.Warn("telegram handled updates not confirmed; they may be answered again", "offset", next, "err", err)
		return
	}
	p.confirmed = next
}
