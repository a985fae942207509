package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reserver books sending slots, so that replies to one chat keep to the
// platform's rate limits even when several replicas send to it.
type Reserver interface {
	// Reserve books the next slot under key and returns how long to wait
	// for it. Slots are interval apart on average; up to burst ahead of that
	// schedule may be booked without waiting (zero burst: strictly interval
	// apart). It is the generic cell rate algorithm: key holds the
	// theoretical time of the next slot.
	Reserve(ctx context.Context, key string, interval, burst time.Duration) (time.Duration, error)
}

// maxSlotKeys bounds the keys a Slots table keeps; past it, keys whose
// schedule is in the past are forgotten.
const maxSlotKeys = 10_000

// Slots is an in-process Reserver with its own clock.
type Slots struct {
	now func() time.Time

	mu  sync.Mutex
	tat map[string]time.Time
}

// NewSlots returns an empty Slots table reading time from now (time.Now
// when nil).
func NewSlots(now func() time.Time) *Slots {
	if now == nil {
		now = time.Now
	}
	return &Slots{now: now, tat: make(map[string]time.Time)}
}

// Reserve implements Reserver.
func (s *Slots) Reserve(_ context.Context, key string, interval, burst time.Duration) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, ok := s.tat[key]; !ok && len(s.tat) >= maxSlotKeys {
		for k, t := range s.tat {
			if !t.After(now) {
				delete(s.tat, k)
			}
		}
	}
	tat := s.tat[key]
	if tat.Before(now) {
		tat = now
	}
	at := tat.Add(-burst)
	if at.Before(now) {
		at = now
	}
	s.tat[key] = tat.Add(interval)
	return at.Sub(now), nil
}

// Reserve implements Reserver for the process: Memory keeps its slots in a
// table of its own, which the key limit of the rest does not touch.
func (m *Memory) Reserve(ctx context.Context, key string, interval, burst time.Duration) (time.Duration, error) {
	return m.slots.Reserve(ctx, key, interval, burst)
}

// reserveScript is Slots.Reserve on the server's clock, so that replicas
// whose clocks differ still share one schedule. The key expires once its
// schedule is past.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local at = tat - tonumber(ARGV[2])
if at < now then at = now end
local nt = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], nt, 'PX', nt - now + 1000)
return at - now
`

// Reserve implements Reserver on the server, in milliseconds.
func (r *Redis) Reserve(ctx context.Context, key string, interval, burst time.Duration) (time.Duration, error) {
	ms, err := redis.NewScript(reserveScript).Run(ctx, r.client, []string{KeyPrefix + "pace:" + key},
		interval.Milliseconds(), burst.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis reserve: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Reserve implements Reserver: on the shared store while it answers, in
// memory while it does not (each replica then paces on its own).
func (f *Fallback) Reserve(ctx context.Context, key string, interval, burst time.Duration) (time.Duration, error) {
	var wait time.Duration
	remote, ok := f.remote.(Reserver)
	if ok && f.remoteCall(ctx, "reserve", func(ctx context.Context) (err error) {
		wait, err = remote.Reserve(ctx, key, interval, burst)
		return err
	}) {
		return wait, nil
	}
	return f.mem.Reserve(ctx, key, interval, burst)
}
