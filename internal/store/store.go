// Package store holds the state that several replicas must share: seen event
// ids (dedup), the domain-check cache and per-user rate limits. Memory keeps
// it in the process; the Redis store shares it between replicas.
package store

import (
	"context"
	"time"
)

// Store is the shared state used by the bot and its adapters.
type Store interface {
	// FirstSeen records key for ttl and reports whether it was new, i.e.
	// not recorded by anyone within the last ttl.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Get returns the value stored under key, and whether there was one.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Allow counts one event for key in a fixed window and reports whether
	// it is within limit.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
}
