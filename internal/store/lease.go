package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Leaser hands out named leases: at most one holder at a time, for a
// limited time that the holder renews. Replicas use one to elect the one
// that does a job only one of them may do (Telegram long polling).
type Leaser interface {
	// Lease takes the lease name for holder, or renews it when holder
	// already has it, for ttl. It reports whether holder holds it now.
	Lease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// Release gives the lease up, if holder holds it, so that another
	// can take it at once.
	Release(ctx context.Context, name, holder string) error
}

// leaseTable is the in-process Leaser behind Memory.
type leaseTable struct {
	mu sync.Mutex
	m  map[string]heldLease
}

type heldLease struct {
	holder  string
	expires time.Time
}

func newLeaseTable() *leaseTable { return &leaseTable{m: make(map[string]heldLease)} }

func (l *leaseTable) lease(name, holder string, ttl time.Duration, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur, ok := l.m[name]
	if ok && cur.holder != holder && now.Before(cur.expires) {
		return false
	}
	l.m[name] = heldLease{holder: holder, expires: now.Add(ttl)}
	return true
}

func (l *leaseTable) release(name, holder string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m[name].holder == holder {
		delete(l.m, name)
	}
}

// Lease implements Leaser within the process.
func (m *Memory) Lease(_ context.Context, name, holder string, ttl time.Duration) (bool, error) {
	return m.leases.lease(name, holder, ttl, m.now()), nil
}

// Release implements Leaser within the process.
func (m *Memory) Release(_ context.Context, name, holder string) error {
	m.leases.release(name, holder)
	return nil
}

// leaseScript takes or renews a lease: the key holds the holder's name.
const leaseScript = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

// releaseScript deletes a lease only if the caller still holds it.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`

// Lease implements Leaser on the server.
func (r *Redis) Lease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	n, err := redis.NewScript(leaseScript).Run(ctx, r.client, []string{KeyPrefix + "lease:" + name},
		holder, ttlOrMin(ttl).Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("redis lease: %w", err)
	}
	return n == 1, nil
}

// Release implements Leaser on the server.
func (r *Redis) Release(ctx context.Context, name, holder string) error {
	if err := redis.NewScript(releaseScript).Run(ctx, r.client, []string{KeyPrefix + "lease:" + name}, holder).Err(); err != nil && err != redis.Nil {
		return fmt.Errorf("redis release: %w", err)
	}
	return nil
}

// Lease implements Leaser: on the shared store while it answers. While it
// does not, the lease is kept in memory, so each replica may believe it
// holds it: two pollers are a conflict Telegram settles, none would be a
// bot that hears nothing.
func (f *Fallback) Lease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var held bool
	remote, ok := f.remote.(Leaser)
	if ok && f.remoteCall(ctx, "lease", func(ctx context.Context) (err error) {
		held, err = remote.Lease(ctx, name, holder, ttl)
		return err
	}) {
		return held, nil
	}
	return f.mem.Lease(ctx, name, holder, ttl)
}

// Release implements Leaser.
func (f *Fallback) Release(ctx context.Context, name, holder string) error {
	_ = f.mem.Release(ctx, name, holder)
	if remote, ok := f.remote.(Leaser); ok {
		f.remoteCall(ctx, "release", func(ctx context.Context) error {
			return remote.Release(ctx, name, holder)
		})
	}
	return nil
}
