package store

import (
	"context"
	"testing"
	"time"
)

// TestBreakerOpensOnOperationErrors breaks a real Redis in ways that leave
// PING answering, and checks that the replica stops using it, says so,
// stays off it while it is broken, counts what it decided alone, and goes
// back, sharing those decisions, once Redis works again.
func TestBreakerOpensOnOperationErrors(t *testing.T) {
	tests := []struct {
		name        string
		break_, fix []any
	}{
		{"out of memory under noeviction",
			[]any{"CONFIG", "SET", "maxmemory", "1"}, []any{"CONFIG", "SET", "maxmemory", "0"}},
		{"paused for writes",
			[]any{"CLIENT", "PAUSE", "60000", "WRITE"}, []any{"CLIENT", "UNPAUSE"}},
		{"password changed",
			[]any{"CONFIG", "SET", "requirepass", "n3w-pass"}, []any{"CONFIG", "SET", "requirepass", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := newRedisServer(t)
			admin := srv.client()
			defer admin.Close()
			if err := admin.Do(ctx, "CONFIG", "SET", "maxmemory-policy", "noeviction").Err(); err != nil {
				t.Fatal(err)
			}
			f, _ := replica(t, srv.url())
			if first, _ := f.FirstSeen(ctx, "ev:before", time.Hour); !first || !f.Up() {
				t.Fatalf("FirstSeen on a working Redis = %v, up %v", first, f.Up())
			}

			if err := admin.Do(ctx, tt.break_...).Err(); err != nil {
				t.Fatal(err)
			}
			f.FirstSeen(ctx, "ev:during", time.Hour)
			waitFor(t, "the breaker to open", func() bool { return !f.Up() })
			// Open it stays, for many probes, though PING still answers.
			for range 30 {
				time.Sleep(10 * time.Millisecond)
				if f.Up() {
					t.Fatal("the breaker closed again while Redis was still broken")
				}
			}
			if err := admin.Ping(ctx).Err(); err != nil {
				t.Fatalf("PING on the open admin connection: %v; the test wants a Redis that still answers", err)
			}
			if got := metricValue(t, f.metrics, "beianbot_store_up", map[string]string{"store": "redis"}); got != 0 {
				t.Errorf("beianbot_store_up = %v while Redis is broken, want 0", got)
			}
			if first, _ := f.FirstSeen(ctx, "ev:alone", time.Hour); !first {
				t.Error("a new event during the outage was not taken as new")
			}
			if first, _ := f.FirstSeen(ctx, "ev:before", time.Hour); first {
				t.Error("an event handled before the outage was taken as new")
			}
			if got := metricValue(t, f.metrics, "beianbot_duplicate_answers_total", nil); got < 1 {
				t.Errorf("beianbot_duplicate_answers_total = %v after deciding an event alone, want ≥ 1", got)
			}

			if err := admin.Do(ctx, tt.fix...).Err(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the breaker to close", f.Up)
			if got := metricValue(t, f.metrics, "beianbot_store_up", map[string]string{"store": "redis"}); got != 1 {
				t.Errorf("beianbot_store_up = %v after Redis recovered, want 1", got)
			}
			// What was decided alone is in Redis now: another replica
			// will not answer it again.
			if n, err := admin.Exists(ctx, KeyPrefix+"ev:alone").Result(); err != nil || n != 1 {
				t.Errorf("EXISTS ev:alone after recovery = %d, %v; want the outage's key shared", n, err)
			}
			other := srv.newRedis()
			if first, _ := other.FirstSeen(ctx, "ev:alone", time.Hour); first {
				t.Error("another replica took an event answered during the outage as new")
			}
		})
	}
}

func TestNewRedisRefusesNegativeOptions(t *testing.T) {
	for _, q := range []string{"pool_size=-1", "min_idle_conns=-3", "max_idle_conns=-1", "pool_size=1000000"} {
		r, err := NewRedis("redis://127.0.0.1:6379/0?" + q)
		if err == nil {
			r.Close()
			t.Errorf("NewRedis with %s succeeded, want an error", q)
		}
	}
	r, err := NewRedis("redis://127.0.0.1:6379/0?pool_size=20")
	if err != nil {
		t.Errorf("NewRedis with pool_size=20: %v", err)
	} else {
		r.Close()
	}
}
