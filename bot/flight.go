package bot

import (
	"context"
	"sync"

	"github.com/beianbot/beianbot/internal/domaincheck"
)

// flights lets concurrent checks of one domain share one run: the first
// caller runs the check in its own goroutine, the others wait for its
// result (or for their own context to end). The zero value is ready.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// flight is one check in progress.
type flight struct {
	done    chan struct{}
	waiters int // callers sharing it besides the one running it
	res     *domaincheck.Result
	err     error
}

// do returns run's result for key, running it unless a run for key is
// already in progress. shared is true when the result came from another
// caller's run.
func (f *flights) do(ctx context.Context, key string, run func(context.Context) (*domaincheck.Result, error)) (res *domaincheck.Result, shared bool, err error) {
	f.mu.Lock()
	if c, ok := f.m[key]; ok {
		c.waiters++
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.res, true, c.err
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	c := &flight{done: make(chan struct{})}
	f.m[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.m, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.res, c.err = run(ctx)
	return c.res, false, c.err
}
