package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
)

// pollLimit is how many updates one getUpdates may return.
const pollLimit = 100

// leaseName is the lease the polling replica holds in the shared store.
const leaseName = "telegram:poll"

// poller owns the long-polling loop. An update's offset is confirmed to
// Telegram (by the next getUpdates) only once the update has been handled,
// i.e. its first answer (or its restart notice) sent; a domain check's
// result may follow later, as work Drain waits for.
type poller struct {
	a         *Adapter
	holder    string // this replica's name in the lease
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

// poll long-polls until ctx ends. With replicas sharing a store, only the
// holder of the polling lease polls; the others stand by, trying to take
// it every third of its TTL, so one takes over within about a TTL when the
// poller dies (at once when it stops cleanly and releases the lease).
func (a *Adapter) poll(ctx context.Context, p *poller) {
	if a.leaser == nil {
		p.run(ctx)
		return
	}
	p.holder = newHolder()
	standby := false
	for ctx.Err() == nil {
		held, err := a.leaser.Lease(ctx, leaseName, p.holder, a.leaseTTL)
		if err != nil && ctx.Err() == nil {
			a.logger.Warn("telegram polling lease unavailable", "err", err)
		}
		if !held {
			if !standby {
				a.logger.Info("telegram: another replica polls; standing by")
				standby = true
			}
			if a.sleep(ctx, a.leaseTTL/3) != nil {
				return
			}
			continue
		}
		standby = false
		a.logger.Info("telegram polling lease taken; this replica polls")
		lctx, lost := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { a.keepLease(lctx, lost, p.holder) })
		p.run(lctx)
		lost()
		wg.Wait()
	}
}

// keepLease renews the lease every third of its TTL until ctx ends; when
// the lease is lost (another replica holds it), it calls lost.
func (a *Adapter) keepLease(ctx context.Context, lost context.CancelFunc, holder string) {
	for a.sleep(ctx, a.leaseTTL/3) == nil {
		held, err := a.leaser.Lease(ctx, leaseName, holder, a.leaseTTL)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			a.logger.Warn("telegram polling lease not renewed", "err", err)
		case !held:
			a.logger.Warn("telegram polling lease lost to another replica; standing by")
			lost()
			return
		}
	}
}

// releaseLease gives the lease up at shutdown, so that a standby replica
// takes over at once.
func (a *Adapter) releaseLease(ctx context.Context, p *poller) {
	if a.leaser == nil || p.holder == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := a.leaser.Release(ctx, leaseName, p.holder); err != nil {
		a.logger.Warn("telegram polling lease not released; another replica takes over when it expires", "err", err)
	}
}

// newHolder names this replica in the lease.
func newHolder() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// run polls until ctx ends, taking only as many updates as the work pool
// has room for: while it is full, Telegram keeps the rest. Errors back off
// exponentially (or for retry_after on a 429); a cancelled ctx cancels the
// request in flight.
func (p *poller) run(ctx context.Context) {
	a := p.a
	if err := a.api.raw(ctx, "deleteWebhook", nil); err != nil && ctx.Err() == nil {
		a.logger.Warn("telegram deleteWebhook failed; polling may conflict with a webhook", "err", err)
	}
	failures := 0
	for ctx.Err() == nil {
		room := a.pool.Room()
		if room == 0 {
			select {
			case <-a.pool.Freed():
			case <-ctx.Done():
			}
			continue
		}
		offset := p.offset()
		pctx, cancel := context.WithTimeout(ctx, a.pollEvery+10*time.Second)
		ups, err := a.api.getUpdates(pctx, offset, min(pollLimit, room), a.pollEvery)
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
			a.logger.Warn("telegram getUpdates failed", "err", err, "wait", wait.String())
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

// handle queues a batch of updates on the pool and waits until each has
// been handled or ctx ends. An update the pool refuses, and every one
// after it, stays unconfirmed, so the next poll takes it again.
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
		wg.Add(1)
		var once sync.Once
		handled := func() {
			once.Do(func() {
				b.handled[i].Store(true)
				wg.Done()
			})
		}
		if !a.pool.Submit(a.updateJob(u, handled)) {
			wg.Done()
			a.metrics.WorkRefused(bot.PlatformTelegram)
			break
		}
		b.dispatched = i + 1
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
