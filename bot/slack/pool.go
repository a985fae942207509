package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// job is work for one acknowledged event. Its context outlives the
// adapter's: it is cancelled only by the job's own timeout.
type job func(ctx context.Context)

// pool runs acknowledged work on a bounded number of workers. Work is
// queued, never run on the goroutine that acknowledged it, and work
// accepted before shutdown is finished before run returns.
type pool struct {
	jobs chan job

	mu     sync.RWMutex
	closed bool
}

func newPool(queue int) *pool {
	return &pool{jobs: make(chan job, queue)}
}

// submit queues j and reports whether it was accepted; it never blocks. It
// refuses when the queue is full or the pool has shut down.
func (p *pool) submit(j job) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return false
	}
	select {
	case p.jobs <- j:
		return true
	default:
		return false
	}
}

// run starts workers and serves until ctx ends; then it stops accepting
// work, lets the workers finish the queue, and returns.
func (p *pool) run(ctx context.Context, workers int, timeout time.Duration, logger *slog.Logger) {
	base := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range p.jobs {
				p.do(base, j, timeout, logger)
			}
		})
	}
	<-ctx.Done()
	p.mu.Lock()
	p.closed = true
	close(p.jobs)
	p.mu.Unlock()
	wg.Wait()
}

// do runs one job with its timeout; a panic is logged, not fatal.
func (p *pool) do(base context.Context, j job, timeout time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			logger.Error("slack event handling panicked", "panic", r)
		}
	}()
	j(ctx)
}

// pacer spaces posts to one channel at least interval apart.
type pacer struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	next map[string]time.Time
}

// maxPacedChannels bounds the pacer's memory; past it, channels whose slot
// is in the past are forgotten.
const maxPacedChannels = 10_000

func newPacer(interval time.Duration, now func() time.Time) *pacer {
	return &pacer{interval: interval, now: now, next: make(map[string]time.Time)}
}

// reserve books the next slot for channel and returns how long to wait
// for it.
func (p *pacer) reserve(channel string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.next) >= maxPacedChannels {
		for ch, t := range p.next {
			if !t.After(now) {
				delete(p.next, ch)
			}
		}
	}
	slot := now
	if t, ok := p.next[channel]; ok && t.After(now) {
		slot = t
	}
	p.next[channel] = slot.Add(p.interval)
	return slot.Sub(now)
}
