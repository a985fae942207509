package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Handoff keeps acknowledged work that a stopping replica could not start,
// for another replica, or the same one restarted, to take and finish.
type Handoff interface {
	// Hand appends items to the queue name, which is kept for ttl after
	// the last Hand.
	Hand(ctx context.Context, name string, items [][]byte, ttl time.Duration) error
	// Take removes and returns the oldest item of the queue name, if any.
	Take(ctx context.Context, name string) ([]byte, bool, error)
}

// maxHandoffItems bounds one queue in memory.
const maxHandoffItems = 10_000

// handoffTable is the in-process Handoff behind Memory: only useful within
// one process, for tests and for a single replica's own restarts of its
// adapters.
type handoffTable struct {
	mu     sync.Mutex
	queues map[string]*handoffQueue
}

type handoffQueue struct {
	items   [][]byte
	expires time.Time
}

func newHandoffTable() *handoffTable {
	return &handoffTable{queues: make(map[string]*handoffQueue)}
}

// Hand implements Handoff within the process.
func (m *Memory) Hand(_ context.Context, name string, items [][]byte, ttl time.Duration) error {
	h := m.handoff
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.queues[name]
	now := m.now()
	if q == nil || !now.Before(q.expires) {
		q = &handoffQueue{}
		h.queues[name] = q
	}
	if len(q.items)+len(items) > maxHandoffItems {
		return errors.New("hand off work: queue full")
	}
	for _, it := range items {
		q.items = append(q.items, append([]byte(nil), it...))
	}
	q.expires = now.Add(ttl)
	return nil
}

// Take implements Handoff within the process.
func (m *Memory) Take(_ context.Context, name string) ([]byte, bool, error) {
	h := m.handoff
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.queues[name]
	if q == nil || !m.now().Before(q.expires) {
		delete(h.queues, name)
		return nil, false, nil
	}
	it := q.items[0]
	q.items = q.items[1:]
	if len(q.items) == 0 {
		delete(h.queues, name)
	}
	return it, true, nil
}

// Hand implements Handoff with RPUSH and PEXPIRE, in one transaction.
func (r *Redis) Hand(ctx context.Context, name string, items [][]byte, ttl time.Duration) error {
	if len(items) == 0 {
		return nil
	}
	key := KeyPrefix + "handoff:" + name
	vals := make([]any, len(items))
	for i, it := range items {
		vals[i] = it
	}
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, key, vals...)
		p.PExpire(ctx, key, ttlOrMin(ttl))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis hand off: %w", err)
	}
	return nil
}

// Take implements Handoff with LPOP.
func (r *Redis) Take(ctx context.Context, name string) ([]byte, bool, error) {
	b, err := r.client.LPop(ctx, KeyPrefix+"handoff:"+name).Bytes()
	return value(b, err, "redis take")
}

// errNoShared says the shared store cannot take handed-off work now.
var errNoShared = errors.New("the shared store is unreachable")

// Hand implements Handoff on the shared store only: work kept in this
// process's memory would end with it, so while the shared store is down
// Hand fails, and the caller tells the askers to ask again instead.
func (f *Fallback) Hand(ctx context.Context, name string, items [][]byte, ttl time.Duration) error {
	remote, ok := f.remote.(Handoff)
	if !ok {
		return errNoShared
	}
	var err error
	if !f.remoteCall(ctx, "hand", func(ctx context.Context) error {
		err = remote.Hand(ctx, name, items, ttl)
		return err
	}) {
		if err == nil {
			err = errNoShared
		}
		return fmt.Errorf("hand off work: %w", err)
	}
	return nil
}

// Take implements Handoff on the shared store; while it is down there is
// nothing to take.
func (f *Fallback) Take(ctx context.Context, name string) ([]byte, bool, error) {
	remote, ok := f.remote.(Handoff)
	if !ok {
		return nil, false, nil
	}
	var (
		b     []byte
		found bool
	)
	if !f.remoteCall(ctx, "take", func(ctx context.Context) (err error) {
		b, found, err = remote.Take(ctx, name)
		return err
	}) {
		return nil, false, nil
	}
	return b, found, nil
}
