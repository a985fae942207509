package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"github.com/google/go-cmp/cmp"
)

// replica is one bot instance's store: a Fallback over its own Redis
// client, probing in the background until the test ends.
func replica(t *testing.T, url string) (*Fallback, *syncbuf.Buffer) {
	t.Helper()
	r, err := NewRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	f, _, logs := newTestFallback(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; r.Close() })
	return f, logs
}

func TestTwoReplicasAnswerARetriedEventOnce(t *testing.T) {
	srv := newRedisServer(t)
	a, _ := replica(t, srv.url())
	b, _ := replica(t, srv.url())
	ctx := context.Background()

	// Slack retries event 1 to the other replica; event 2's retry comes
	// back to the same one.
	checkFirstSeen(t, []firstSeenStep{{a, "slack:Ev1", true}, {b, "slack:Ev1", false}, {b, "slack:Ev2", true}, {b, "slack:Ev2", false}, {a, "slack:Ev2", false}})

	// The same event delivered to both at the same moment, many times.
	for i := range 20 {
		key := "telegram:" + strconv.Itoa(i)
		var firsts atomic.Int32
		var wg sync.WaitGroup
		for _, f := range []*Fallback{a, b, a, b} {
			wg.Go(func() {
				if first, _ := f.FirstSeen(ctx, key, time.Hour); first {
					firsts.Add(1)
				}
			})
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Errorf("update %s answered %d times by two replicas, want once", key, n)
		}
	}
}

func TestFallbackRedisGoesAwayAndComesBack(t *testing.T) {
	srv := newRedisServer(t)
	a, logs := replica(t, srv.url())
	b, _ := replica(t, srv.url())
	ctx := context.Background()

	if first, _ := a.FirstSeen(ctx, "seen-before", time.Hour); !first {
		t.Fatal("FirstSeen(seen-before) = false on an empty server")
	}
	srv.stop()

	// Answers continue from memory; the first failure opens the breaker.
	var got []bool
	for _, key := range []string{"during", "during", "seen-before"} {
		first, err := a.FirstSeen(ctx, key, time.Hour)
		if err != nil {
			t.Fatalf("FirstSeen with Redis gone: %v", err)
		}
		got = append(got, first)
	}
	if diff := cmp.Diff([]bool{true, false, false}, got); diff != "" {
		t.Errorf("FirstSeen with Redis gone (-want +got):\n%s", diff)
	}
	if ok, err := a.Allow(ctx, "user", 1, time.Hour); err != nil || !ok {
		t.Errorf("Allow with Redis gone = %v, %v; want true from memory", ok, err)
	}
	if a.Up() {
		t.Error("Up() = true with Redis gone")
	}
	if got := metricValue(t, a.metrics, "beianbot_store_errors_total", map[string]string{"op": "first_seen"}); got != 3 {
		t.Errorf("beianbot_store_errors_total{op=first_seen} = %v, want 3", got)
	}

	srv.start() // same port, empty: nothing was persisted
	waitFor(t, "replica a to return to Redis", a.Up)
	// b made no call during the outage, so it may never have noticed it;
	// either way it must be using Redis now.
	waitFor(t, "replica b to return to Redis", b.Up)

	if first, _ := a.FirstSeen(ctx, "after", time.Hour); !first {
		t.Error("FirstSeen(after) on a = false")
	}
	if first, _ := b.FirstSeen(ctx, "after", time.Hour); first {
		t.Error("a retry on b of an event a handled after Redis returned was answered again")
	}
	if !containsAll(logs.String(), "shared store unreachable", "shared store reachable again") {
		t.Errorf("outage and recovery not both logged:\n%s", logs)
	}
}

func TestFallbackStartsWithRedisDown(t *testing.T) {
	bin := redisServerBin(t)
	srv := &redisServer{t: t, bin: bin, port: freePort(t), dir: t.TempDir()}
	t.Cleanup(srv.stop)

	f, _ := replica(t, srv.url())
	waitFor(t, "the first probe to find Redis down", func() bool { return !f.Up() })
	ctx := context.Background()
	if first, err := f.FirstSeen(ctx, "early", time.Hour); err != nil || !first {
		t.Errorf("FirstSeen with Redis down at start = %v, %v; want true, nil", first, err)
	}

	srv.start()
	waitFor(t, "the fallback to find Redis", f.Up)
	if first, _ := f.FirstSeen(ctx, "late", time.Hour); !first {
		t.Error("FirstSeen(late) = false")
	}
	c := srv.client()
	defer c.Close()
	if n, err := c.Exists(ctx, KeyPrefix+"late").Result(); err != nil || n != 1 {
		t.Errorf("EXISTS %slate = %d, %v; want the key in Redis", KeyPrefix, n, err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
