package store

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFirstSeen measures one dedup decision, the store call every
// incoming event makes, run from parallel goroutines.
func BenchmarkFirstSeen(b *testing.B) {
	stores := map[string]func(b *testing.B) Store{
		"memory":         func(*testing.B) Store { return NewMemory() },
		"redis":          func(b *testing.B) Store { return newRedisServer(b).newRedis() },
		"fallback-redis": func(b *testing.B) Store { return NewFallback(FallbackConfig{Remote: newRedisServer(b).newRedis()}) },
	}
	for _, name := range []string{"memory", "redis", "fallback-redis"} {
		b.Run(name, func(b *testing.B) {
			s := stores[name](b)
			var n atomic.Int64
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.FirstSeen(ctx, "bench:"+strconv.FormatInt(n.Add(1), 10), time.Minute); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
