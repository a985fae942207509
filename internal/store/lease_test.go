package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// leaseStep is one call of a lease sequence: Lease (or Release when
// release is set) by holder on s, and whether holder should hold it after.
type leaseStep struct {
	s       Leaser
	holder  string
	release bool
	held    bool
}

func checkLeases(t *testing.T, steps []leaseStep) {
	t.Helper()
	ctx := context.Background()
	var want, got []bool
	for _, st := range steps {
		var held bool
		var err error
		if st.release {
			err = st.s.Release(ctx, "telegram:poll", st.holder)
		} else {
			held, err = st.s.Lease(ctx, "telegram:poll", st.holder, time.Hour)
		}
		if err != nil {
			t.Fatal(err)
		}
		want, got = append(want, st.held), append(got, held)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lease answers (-want +got):\n%s", diff)
	}
}

// leaseSequence: a takes the lease, b is refused, a renews it, a releases
// it, b takes it, a is refused, a's release does not free b's lease.
func leaseSequence(a, b Leaser) []leaseStep {
	return []leaseStep{
		{a, "a", false, true}, {b, "b", false, false}, {a, "a", false, true},
		{a, "a", true, false}, {b, "b", false, true}, {a, "a", false, false},
		{a, "a", true, false}, {a, "a", false, false}, {b, "b", false, true},
	}
}

func TestLeases(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		m := NewMemory()
		checkLeases(t, leaseSequence(m, m))
	})
	t.Run("redis", func(t *testing.T) {
		srv := newRedisServer(t)
		checkLeases(t, leaseSequence(srv.newRedis(), srv.newRedis()))
	})
	t.Run("fallback over redis", func(t *testing.T) {
		srv := newRedisServer(t)
		a, _ := replica(t, srv.url())
		b, _ := replica(t, srv.url())
		checkLeases(t, leaseSequence(a, b))
	})
}

func TestLeaseExpires(t *testing.T) {
	ctx := context.Background()
	t.Run("memory", func(t *testing.T) {
		m := NewMemory()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		m.now = func() time.Time { return now }
		if held, _ := m.Lease(ctx, "l", "a", 5*time.Second); !held {
			t.Fatal("a did not get a free lease")
		}
		now = now.Add(4 * time.Second)
		if held, _ := m.Lease(ctx, "l", "b", 5*time.Second); held {
			t.Fatal("b took a live lease")
		}
		now = now.Add(time.Second)
		if held, _ := m.Lease(ctx, "l", "b", 5*time.Second); !held {
			t.Fatal("b did not get a lease its holder stopped renewing")
		}
	})
	t.Run("redis", func(t *testing.T) {
		srv := newRedisServer(t)
		a, b := srv.newRedis(), srv.newRedis()
		if held, err := a.Lease(ctx, "l", "a", 50*time.Millisecond); err != nil || !held {
			t.Fatalf("Lease = %v, %v; want a free lease", held, err)
		}
		c := srv.client()
		defer c.Close()
		if pttl, err := c.PTTL(ctx, KeyPrefix+"lease:l").Result(); err != nil || pttl <= 0 || pttl > 50*time.Millisecond {
			t.Fatalf("PTTL of the lease = %v, %v; want in (0, 50ms]", pttl, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			held, err := b.Lease(ctx, "l", "b", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if held {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a lease not renewed for 50ms is still held after 5s")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// A replica whose Redis is gone keeps polling from a lease in memory
// rather than stop hearing users.
func TestFallbackLeaseWhileRedisIsDown(t *testing.T) {
	srv := newRedisServer(t)
	a, _ := replica(t, srv.url())
	ctx := context.Background()
	if held, _ := a.Lease(ctx, "l", "a", time.Hour); !held {
		t.Fatal("a did not get a free lease")
	}
	srv.stop()
	waitFor(t, "the fallback to notice Redis is gone", func() bool { return !a.Up() })
	if held, err := a.Lease(ctx, "l", "a", time.Hour); err != nil || !held {
		t.Errorf("Lease while Redis is down = %v, %v; want held from memory", held, err)
	}
}
