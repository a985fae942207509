package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewRedisBadURL(t *testing.T) {
	for _, u := range []string{
		"http://user:s3cret@localhost:6379",
		"redis://user:s3cret@[::1",
		"redis://user:s3cret@localhost:6379/notadb",
		"redis://user:s3cret@localhost:6379/?nosuchoption=1",
		"",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := NewRedis(u)
			if err == nil {
				t.Fatal("NewRedis succeeded, want an error")
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestRedisFirstSeenAcrossClients(t *testing.T) {
	srv := newRedisServer(t)
	a, b := srv.newRedis(), srv.newRedis()
	ctx := context.Background()
	checkFirstSeen(t, []firstSeenStep{{a, "ev1", true}, {b, "ev1", false}, {a, "ev1", false}, {b, "ev2", true}, {a, "ev2", false}})
	c := srv.client()
	defer c.Close()
	pttl, err := c.PTTL(ctx, KeyPrefix+"ev1").Result()
	if err != nil {
		t.Fatal(err)
	}
	if pttl <= 0 || pttl > time.Hour {
		t.Errorf("PTTL of a seen key = %v, want in (0, 1h]", pttl)
	}
}

func TestRedisTTLExpiry(t *testing.T) {
	srv := newRedisServer(t)
	r := srv.newRedis()
	ctx := context.Background()
	if first, err := r.FirstSeen(ctx, "short", 50*time.Millisecond); err != nil || !first {
		t.Fatalf("FirstSeen = %v, %v; want true", first, err)
	}
	if err := r.Set(ctx, "cached", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ok, err := r.Get(ctx, "cached")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a value set with a 50ms TTL is still there after 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Both keys had the same TTL and "short" was set first.
	if first, err := r.FirstSeen(ctx, "short", time.Hour); err != nil || !first {
		t.Errorf("FirstSeen after expiry = %v, %v; want true", first, err)
	}
}

func TestRedisGetSet(t *testing.T) {
	srv := newRedisServer(t)
	r := srv.newRedis()
	ctx := context.Background()
	if _, ok, err := r.Get(ctx, "missing"); ok || err != nil {
		t.Errorf("Get(missing) = ok %v, err %v; want false, nil", ok, err)
	}
	val := []byte("\x00binary\xffvalue 备案")
	if err := r.Set(ctx, "k", val, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, ok, err := r.Get(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("Get(k) = ok %v, err %v", ok, err)
	}
	if diff := cmp.Diff(val, got); diff != "" {
		t.Errorf("Get(k) (-want +got):\n%s", diff)
	}
}

func TestRedisAllowWindow(t *testing.T) {
	srv := newRedisServer(t)
	r := srv.newRedis()
	c := srv.client()
	defer c.Close()
	ctx := context.Background()

	var got []bool
	var ttls []time.Duration
	for range 5 {
		ok, err := r.Allow(ctx, "user1", 3, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ok)
		pttl, err := c.PTTL(ctx, KeyPrefix+"user1").Result()
		if err != nil {
			t.Fatal(err)
		}
		ttls = append(ttls, pttl)
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, got); diff != "" {
		t.Errorf("Allow answers (-want +got):\n%s", diff)
	}
	// A fixed window: later events do not push the expiry back.
	for i := 1; i < len(ttls); i++ {
		if ttls[i] <= 0 || ttls[i] > ttls[i-1] {
			t.Errorf("PTTL after event %d = %v, after event %d = %v: want positive and not growing", i, ttls[i-1], i+1, ttls[i])
		}
	}
	if ok, err := r.Allow(ctx, "user2", 3, time.Hour); err != nil || !ok {
		t.Errorf("Allow(user2) = %v, %v; want true: users are counted apart", ok, err)
	}

	// The window ends and a new one starts.
	for range 2 {
		if _, err := r.Allow(ctx, "short", 1, 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := r.Allow(ctx, "short", 1, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a 50ms window has not ended after 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRedisAllowRepairsMissingExpiry(t *testing.T) {
	srv := newRedisServer(t)
	r := srv.newRedis()
	c := srv.client()
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, KeyPrefix+"stuck", 7, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Allow(ctx, "stuck", 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	pttl, err := c.PTTL(ctx, KeyPrefix+"stuck").Result()
	if err != nil {
		t.Fatal(err)
	}
	if pttl <= 0 {
		t.Errorf("PTTL = %v after Allow on a counter without expiry, want positive", pttl)
	}
}

func TestRedisAllowIsAtomic(t *testing.T) {
	srv := newRedisServer(t)
	a, b := srv.newRedis(), srv.newRedis()
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 60 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			ok, err := s.Allow(context.Background(), "busy", 10, time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 10 {
		t.Errorf("%d of 60 concurrent events allowed with limit 10, want 10", got)
	}
}

func TestRedisDownFailsFast(t *testing.T) {
	r, err := NewRedis("redis://127.0.0.1:" + strconv.Itoa(freePort(t)) + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if err := r.Ping(ctx); err == nil {
		t.Error("Ping with no server succeeded")
	}
	if _, err := r.FirstSeen(ctx, "k", time.Minute); err == nil {
		t.Error("FirstSeen with no server succeeded")
	}
	if _, err := r.Allow(ctx, "k", 1, time.Minute); err == nil {
		t.Error("Allow with no server succeeded")
	}
}

// firstSeenStep is one FirstSeen call and the answer it should get.
type firstSeenStep struct {
	s     Store
	key   string
	first bool
}

// checkFirstSeen makes the calls in order and compares the answers.
func checkFirstSeen(t *testing.T, steps []firstSeenStep) {
	t.Helper()
	var want, got []bool
	for _, step := range steps {
		first, err := step.s.FirstSeen(context.Background(), step.key, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want, got = append(want, step.first), append(got, first)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FirstSeen answers (-want +got):\n%s", diff)
	}
}
