package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// errClosed is returned by workers.acquire once shutdown has begun.
var errClosed = errors.New("telegram adapter is shutting down")

// workers runs the handling of accepted updates: at most cap(sem) at once,
// each with its own timeout and detached from the request or poll that
// accepted it, so acknowledged work survives the end of Run's context long
// enough to answer. shutdown waits for it, cancelling what is left after a
// grace period.
type workers struct {
	sem     chan struct{}
	timeout time.Duration
	logger  *slog.Logger

	mu      sync.Mutex
	closed  bool
	nextID  uint64
	cancels map[uint64]context.CancelFunc // running tasks
	pending int                           // acquired tasks, running or not
	idle    chan struct{}                 // closed when pending drops to 0 after shutdown
}

// task is a reserved slot: run it or drop it, exactly once.
type task struct {
	w *workers
}

func newWorkers(n int, timeout time.Duration, logger *slog.Logger) *workers {
	return &workers{
		sem:     make(chan struct{}, n),
		timeout: timeout,
		logger:  logger,
		cancels: make(map[uint64]context.CancelFunc),
		idle:    make(chan struct{}),
	}
}

// acquire reserves a slot, waiting while all are busy, until ctx ends.
func (w *workers) acquire(ctx context.Context) (task, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return task{}, errClosed
	}
	w.pending++
	w.mu.Unlock()
	select {
	case w.sem <- struct{}{}:
		return task{w: w}, nil
	case <-ctx.Done():
		w.done()
		return task{}, ctx.Err()
	}
}

// drop releases a slot without running anything.
func (t task) drop() {
	<-t.w.sem
	t.w.done()
}

// run calls f in a new goroutine with a context that keeps parent's values
// but not its cancellation, bounded by the workers' timeout. A panic in f
// is logged with its stack and ends only that update.
func (t task) run(parent context.Context, f func(ctx context.Context)) {
	w := t.w
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), w.timeout)
	w.mu.Lock()
	id := w.nextID
	w.nextID++
	w.cancels[id] = cancel
	w.mu.Unlock()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				w.logger.Error("telegram update handling panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			cancel()
			w.mu.Lock()
			delete(w.cancels, id)
			w.mu.Unlock()
			t.drop()
		}()
		f(ctx)
	}()
}

func (w *workers) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending--
	if w.closed && w.pending == 0 {
		close(w.idle)
	}
}

// shutdown refuses new work, waits up to grace for running work to finish,
// then cancels what is left and waits for it to return.
func (w *workers) shutdown(grace time.Duration) (cancelled int) {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		if w.pending == 0 {
			close(w.idle)
		}
	}
	w.mu.Unlock()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-w.idle:
		return 0
	case <-t.C:
	}
	w.mu.Lock()
	cancelled = len(w.cancels)
	for _, c := range w.cancels {
		c()
	}
	w.mu.Unlock()
	<-w.idle
	return cancelled
}
