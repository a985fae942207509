package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beianbot/beianbot/internal/metrics"
)

// Remote is a shared store that can be probed, such as *Redis.
type Remote interface {
	Store
	// Probe reports whether the store works: whether a new connection can
	// log in and write, not merely whether the server answers.
	Probe(ctx context.Context) error
}

// FallbackConfig configures a Fallback.
type FallbackConfig struct {
	// Remote is the shared store. Required.
	Remote Remote
	// MemoryBytes bounds each of the two memory stores that answer while
	// Remote is down (default DefaultMemoryBytes).
	MemoryBytes int64
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
	// OpTimeout bounds one call to Remote (default 500ms).
	OpTimeout time.Duration
	// ProbeInterval is how often Run probes Remote (default 1s).
	ProbeInterval time.Duration
	// LogEvery is the least time between two log lines about Remote going
	// away or coming back (default 30s); lines in between are counted and
	// the count is logged with the next line.
	LogEvery time.Duration
}

// Fallback is a Store that keeps shared state in a Remote store and keeps
// answering from memory while the Remote is unreachable.
//
// It is a circuit breaker: while Remote answers, every call goes to it
// (bounded by OpTimeout). The first call that fails, for whatever reason
// (unreachable, out of memory, paused, refused credentials), marks Remote
// down, and from then on calls are answered from memory at once, without
// waiting on a broken server, each counted as a store error. Run probes
// Remote in the background with what the calls need, a new connection that
// logs in and writes, so it finds outages even when idle and marks Remote
// up only when it works again, not merely when it answers PING. A Fallback
// starts up (optimistically) and never blocks: Run's first probe finds out
// at once whether Remote is there. beianbot_store_up is set from that
// probe, or from a failed call before it, never from the optimism.
//
// A dedup decision made in memory while Remote is down is counted in
// beianbot_duplicate_answers_total: another replica may answer the same
// event. When Remote works again, the keys first seen during the outage
// are written to it (if absent), so that no replica answers them again.
//
// Memory mirrors FirstSeen and Set even while Remote is up, so that during
// an outage a replica still recognises the events and cached checks it has
// already seen, and keys first seen during an outage stay seen on this
// replica after Remote returns. Rate-limit windows (Allow) are counted in
// memory only while Remote is down.
type Fallback struct {
	remote    Remote
	mem       *Memory // mirrors FirstSeen and Set; answers during outages
	outage    *Memory // keys first seen during an outage, not in Remote
	metrics   *metrics.Metrics
	logger    *slog.Logger
	opTimeout time.Duration
	interval  time.Duration

	down atomic.Bool
	// gauge orders the changes of down with what beianbot_store_up says,
	// which is set only once a probe or a call has found out.
	gauge   sync.Mutex
	downLog limiter
	upLog   limiter
}

// NewFallback returns a Fallback over cfg.Remote. It does not contact the
// Remote; run Run to detect outages ending.
func NewFallback(cfg FallbackConfig) *Fallback {
	size := cfg.MemoryBytes
	if size <= 0 {
		size = DefaultMemoryBytes
	}
	f := &Fallback{
		remote:    cfg.Remote,
		mem:       NewMemoryLimit(size),
		outage:    NewMemoryLimit(size),
		metrics:   cfg.Metrics,
		logger:    cfg.Logger,
		opTimeout: cfg.OpTimeout,
		interval:  cfg.ProbeInterval,
	}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	if f.opTimeout <= 0 {
		f.opTimeout = 500 * time.Millisecond
	}
	if f.interval <= 0 {
		f.interval = time.Second
	}
	every := cfg.LogEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	f.downLog = limiter{every: every, now: time.Now}
	f.upLog = limiter{every: every, now: time.Now}
	return f
}

// Up reports whether calls currently go to the Remote store.
func (f *Fallback) Up() bool { return !f.down.Load() }

// Run probes the Remote at once and then every ProbeInterval: it switches
// back to the Remote when it works again, and notices an outage even while
// no calls come in. It also sweeps expired keys from memory. It returns
// when ctx ends.
func (f *Fallback) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { f.mem.Run(ctx) })
	wg.Go(func() { f.outage.Run(ctx) })
	f.probe(ctx)
	every(ctx, f.interval, func() { f.probe(ctx) })
}

// probe tries Remote once and records what it found. Before calls go back
// to Remote, the keys first seen during the outage are written to it.
func (f *Fallback) probe(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, 2*f.opTimeout)
	err := f.remote.Probe(pctx)
	cancel()
	switch {
	case ctx.Err() != nil:
		return
	case err != nil:
		f.markDown(err)
	case f.down.Load():
		if err := f.share(ctx); err != nil {
			return // still failing: stay on memory
		}
		f.gauge.Lock()
		f.down.Store(false)
		f.metrics.StoreUp(true)
		f.gauge.Unlock()
		if ok, n := f.upLog.allow(); ok {
			f.logger.Info("shared store reachable again; using it", heldBack(n)...)
		}
	default:
		f.gauge.Lock()
		if !f.down.Load() {
			f.metrics.StoreUp(true)
		}
		f.gauge.Unlock()
	}
}

// share writes the keys first seen during the outage to Remote, each for
// the rest of its time, so that other replicas recognise them too.
func (f *Fallback) share(ctx context.Context) error {
	var err error
	f.outage.each(func(key string, ttl time.Duration) bool {
		cctx, cancel := context.WithTimeout(ctx, f.opTimeout)
		_, err = f.remote.FirstSeen(cctx, key, ttl)
		cancel()
		return err == nil
	})
	return err
}

// markDown switches to memory after Remote failed with err.
func (f *Fallback) markDown(err error) {
	f.gauge.Lock()
	changed := f.down.CompareAndSwap(false, true)
	if changed {
		f.metrics.StoreUp(false)
	}
	f.gauge.Unlock()
	if !changed {
		return
	}
	if ok, n := f.downLog.allow(); ok {
		f.logger.Warn("shared store unreachable; answering from memory until it returns",
			append([]any{"err", err}, heldBack(n)...)...)
	}
}

// remoteCall runs call against Remote unless it is down. It reports whether
// the answer came from Remote; when not, the caller answers from memory and
// the fallback has been counted.
func (f *Fallback) remoteCall(ctx context.Context, op string, call func(ctx context.Context) error) bool {
	if f.down.Load() {
		f.metrics.StoreError(op)
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, f.opTimeout)
	err := call(cctx)
	cancel()
	if err == nil {
		return true
	}
	if ctx.Err() != nil {
		// The caller gave up; that says nothing about Remote.
		return false
	}
	f.metrics.StoreError(op)
	f.markDown(err)
	return false
}

// FirstSeen implements Store. While Remote is up its answer is the answer,
// except that a key first seen here during an outage stays seen.
func (f *Fallback) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	var first bool
	if f.remoteCall(ctx, "first_seen", func(ctx context.Context) (err error) {
		first, err = f.remote.FirstSeen(ctx, key, ttl)
		return err
	}) {
		_, _ = f.mem.FirstSeen(ctx, key, ttl) // remember it for an outage
		if first {
			if _, seen, _ := f.outage.Get(ctx, key); seen {
				return false, nil
			}
		}
		return first, nil
	}
	first, _ = f.mem.FirstSeen(ctx, key, ttl)
	if first {
		_ = f.outage.Set(ctx, key, []byte{1}, ttl)
		// Decided here alone: another replica may answer it as well.
		f.metrics.DuplicateAnswer()
	}
	return first, nil
}

// Get implements Store. A key Remote does not have is looked up in memory,
// which holds what was set while Remote was down.
func (f *Fallback) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var (
		v  []byte
		ok bool
	)
	if f.remoteCall(ctx, "get", func(ctx context.Context) (err error) {
		v, ok, err = f.remote.Get(ctx, key)
		return err
	}) && ok {
		return v, true, nil
	}
	return f.mem.Get(ctx, key)
}

// Set implements Store.
func (f *Fallback) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_ = f.mem.Set(ctx, key, value, ttl)
	f.remoteCall(ctx, "set", func(ctx context.Context) error {
		return f.remote.Set(ctx, key, value, ttl)
	})
	return nil
}

// Allow implements Store.
func (f *Fallback) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	var allowed bool
	if f.remoteCall(ctx, "allow", func(ctx context.Context) (err error) {
		allowed, err = f.remote.Allow(ctx, key, limit, window)
		return err
	}) {
		return allowed, nil
	}
	return f.mem.Allow(ctx, key, limit, window)
}

// heldBack is the log attribute counting n lines not logged, if any.
func heldBack(n int) []any {
	if n == 0 {
		return nil
	}
	return []any{"suppressed", n}
}

// limiter lets one event through per period and counts the rest.
type limiter struct {
	every time.Duration
	now   func() time.Time

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether the event may be logged now and how many were
// held back since the last one that was.
func (l *limiter) allow() (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	return true, n
}
