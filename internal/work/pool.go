// Package work is the machinery both chat adapters share: a bounded pool
// for acknowledged work that drains on shutdown, sending-slot pacing,
// duplicate delivery detection and config defaults. It knows no platform.
package work

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Job is one piece of acknowledged work.
type Job struct {
	// Do does the work. Its context ends at the pool's timeout, or when a
	// drain runs out of time.
	Do func(ctx context.Context)
	// Cut tells the user that the work will not be done because the
	// process is stopping ("restarting, please ask again"). It is called
	// at most once, for a job that had not finished when a drain ran out
	// of time; nil when there is nothing to say.
	Cut func(ctx context.Context)
	// Payload, when set, describes the job for another replica: a job that
	// has not started when a drain begins is handed off (PoolConfig.Handoff)
	// instead of waiting or being cut.
	Payload []byte
	// Handed is called once the job has been handed off; nil for nothing.
	Handed func()
}

// PoolConfig configures a Pool. Zero values take the defaults given.
type PoolConfig struct {
	// Workers bounds the jobs run at once (default 64).
	Workers int
	// Queue bounds the accepted jobs waiting for a worker (default 1024).
	Queue int
	// Timeout bounds one job from the moment a worker takes it
	// (default 9 s).
	Timeout time.Duration
	// Notice is the time a drain keeps at its end to send the Cut notices
	// (default 1 s).
	Notice time.Duration
	// Handoff, when set, keeps the payloads of jobs not started when a
	// drain begins, for another replica to do (store.Handoff); when it
	// fails, the jobs stay and are drained as usual.
	Handoff func(ctx context.Context, payloads [][]byte) error
	// Logger may be nil.
	Logger *slog.Logger
}

// Pool runs acknowledged work on a bounded number of goroutines. Submit
// never blocks: when the queue is full it refuses, so that the platform
// redelivers later (backpressure). Drain stops intake and finishes what
// was accepted, cutting what cannot be finished in time.
type Pool struct {
	workers int
	queue   int
	timeout time.Duration
	notice  time.Duration
	handoff func(ctx context.Context, payloads [][]byte) error
	logger  *slog.Logger

	mu      sync.Mutex
	closed  bool
	running int
	waiting []*task
	active  map[*task]struct{}
	cut     int
	handed  int
	idle    chan struct{} // closed once closed and nothing runs
	freed   chan struct{} // closed and replaced whenever room is made
}

type task struct {
	job    Job
	cancel context.CancelFunc
	cut    bool
	done   chan struct{} // closed when a started job returns
}

// NewPool returns an empty pool.
func NewPool(cfg PoolConfig) *Pool {
	p := &Pool{
		workers: max(Default(cfg.Workers, 64), 1),
		queue:   Default(cfg.Queue, 1024),
		timeout: Default(cfg.Timeout, 9*time.Second),
		notice:  Default(cfg.Notice, time.Second),
		handoff: cfg.Handoff,
		logger:  cfg.Logger,
		active:  make(map[*task]struct{}),
		idle:    make(chan struct{}),
		freed:   make(chan struct{}),
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	return p
}

// Submit accepts j and reports whether it did. It refuses when every
// worker is busy and the queue is full, or once a drain has begun.
func (p *Pool) Submit(j Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || (p.running >= p.workers && len(p.waiting) >= p.queue) {
		return false
	}
	t := &task{job: j}
	if p.running < p.workers {
		p.running++
		go p.work(t)
		return true
	}
	p.waiting = append(p.waiting, t)
	return true
}

// SubmitWait is Submit that, while the pool is full, waits for room until
// ctx ends. It refuses at once once a drain has begun.
func (p *Pool) SubmitWait(ctx context.Context, j Job) bool {
	for {
		freed := p.Freed()
		if p.Submit(j) {
			return true
		}
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed {
			return false
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return false
		}
	}
}

// Room returns how many more jobs Submit would accept now.
func (p *Pool) Room() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0
	}
	return p.workers - p.running + p.queue - len(p.waiting)
}

// Pending returns how many accepted jobs have not finished.
func (p *Pool) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running + len(p.waiting)
}

// Freed returns a channel that is closed the next time a job finishes.
func (p *Pool) Freed() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.freed
}

// work runs t (when not nil), then queued jobs, until the queue is empty.
// Its caller has counted it in running.
func (p *Pool) work(t *task) {
	for {
		if t != nil {
			p.run(t)
		}
		p.mu.Lock()
		if t != nil {
			delete(p.active, t)
			close(p.freed)
			p.freed = make(chan struct{})
		}
		if len(p.waiting) == 0 {
			p.running--
			if p.closed && p.running == 0 {
				close(p.idle)
			}
			p.mu.Unlock()
			return
		}
		t = p.waiting[0]
		p.waiting[0] = nil
		p.waiting = p.waiting[1:]
		p.mu.Unlock()
	}
}

// handOff gives the queued jobs that have a payload to the Handoff. It
// runs as a worker of its own meanwhile, so that the pool does not look
// idle, and stays one to do the jobs if the hand-off fails.
func (p *Pool) handOff(ctx context.Context) {
	if p.handoff == nil {
		return
	}
	p.mu.Lock()
	var keep, give []*task
	for _, t := range p.waiting {
		if t.job.Payload != nil {
			give = append(give, t)
		} else {
			keep = append(keep, t)
		}
	}
	if len(give) == 0 {
		p.mu.Unlock()
		return
	}
	p.waiting = keep
	p.running++
	p.mu.Unlock()
	payloads := make([][]byte, len(give))
	for i, t := range give {
		payloads[i] = t.job.Payload
	}
	err := p.handoff(ctx, payloads)
	p.mu.Lock()
	if err != nil {
		p.waiting = append(give, p.waiting...)
	} else {
		p.handed += len(give)
	}
	p.mu.Unlock()
	if err != nil {
		p.logger.Warn("work not handed off; finishing it here", "count", len(give), "err", err)
	} else {
		for _, t := range give {
			if t.job.Handed != nil {
				t.job.Handed()
			}
		}
	}
	p.work(nil)
}

// Handed returns how many jobs were handed off, over every Drain.
func (p *Pool) Handed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.handed
}

// run does one job with its timeout; a panic is logged with its stack and
// ends only that job.
func (p *Pool) run(t *task) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	p.mu.Lock()
	if t.cut {
		p.mu.Unlock()
		return
	}
	t.cancel = cancel
	t.done = make(chan struct{})
	p.active[t] = struct{}{}
	p.mu.Unlock()
	defer close(t.done)
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("work panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	t.job.Do(ctx)
}

// Drain stops intake, hands the jobs not started yet off (when the pool
// has a Handoff and they have a payload), and waits for the accepted jobs
// to finish. When ctx has a deadline, Notice before it the jobs still running are cancelled,
// the queued ones dropped, and each gets its Cut notice within the time
// left. It returns how many jobs were cut, over every Drain call; it may
// be called more than once and from several goroutines.
func (p *Pool) Drain(ctx context.Context) int {
	p.mu.Lock()
	first := !p.closed
	if first {
		p.closed = true
		if p.running == 0 {
			close(p.idle)
		}
	}
	p.mu.Unlock()
	if first {
		p.handOff(ctx)
	}
	var cutoff <-chan time.Time
	if dl, ok := ctx.Deadline(); ok {
		t := time.NewTimer(time.Until(dl) - p.notice)
		defer t.Stop()
		cutoff = t.C
	}
	select {
	case <-p.idle:
		return p.cutCount()
	case <-cutoff:
	case <-ctx.Done():
	}
	p.mu.Lock()
	victims := p.waiting
	p.waiting = nil
	var running []*task
	for t := range p.active {
		t.cancel()
		running = append(running, t)
	}
	victims = append(victims, running...)
	for _, t := range victims {
		t.cut = true
	}
	p.cut += len(victims)
	p.mu.Unlock()
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.notice)
	defer cancel()
	// A cancelled job may still be writing; its notice comes after it.
	for _, t := range running {
		select {
		case <-t.done:
		case <-nctx.Done():
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, t := range victims {
		if t.job.Cut == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			t.job.Cut(nctx)
		})
	}
	wg.Wait()
	select {
	case <-p.idle:
	case <-nctx.Done():
	}
	return p.cutCount()
}

func (p *Pool) cutCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cut
}

// Tally turns the running totals that repeated Drain calls return into
// what is new since the last call, so that each cut is counted and logged
// once.
type Tally struct {
	mu   sync.Mutex
	seen int
}

// Add records total and returns how much it grew since the last call.
func (t *Tally) Add(total int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if total <= t.seen {
		return 0
	}
	added := total - t.seen
	t.seen = total
	return added
}
