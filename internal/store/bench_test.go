package store

import (
	"context"
	"fmt"
	"runtime"
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

// BenchmarkKeyCost measures what one dedup id costs: in the memory store's
// heap and by its own count, and in Redis (used_memory). Run it with
// -benchtime=1x; each iteration stores 100,000 ids.
func BenchmarkKeyCost(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("slack:event:Ev%011d", i)
	}
	ctx := context.Background()
	b.Run("memory", func(b *testing.B) {
		for range b.N {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m := NewMemory()
			for _, k := range keys {
				m.FirstSeen(ctx, k, time.Hour)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "heap-B/key")
			b.ReportMetric(float64(m.Bytes())/n, "counted-B/key")
			runtime.KeepAlive(m)
		}
	})
	b.Run("redis", func(b *testing.B) {
		srv := newRedisServer(b)
		r := srv.newRedis()
		c := srv.client()
		defer c.Close()
		used := func() float64 {
			v, err := c.InfoMap(ctx, "memory").Result()
			if err != nil {
				b.Fatal(err)
			}
			f, _ := strconv.ParseFloat(v["Memory"]["used_memory"], 64)
			return f
		}
		for range b.N {
			c.FlushDB(ctx)
			start := used()
			for _, k := range keys {
				if _, err := r.FirstSeen(ctx, k, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((used()-start)/n, "redis-B/key")
		}
	})
}
