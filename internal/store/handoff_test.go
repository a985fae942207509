package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// takeAll takes every item of the queue q from h.
func takeAll(t *testing.T, h Handoff, q string) []string {
	t.Helper()
	var out []string
	for {
		b, ok, err := h.Take(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, string(b))
	}
}

func TestHandoff(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		pair func(t *testing.T) (from, to Handoff)
	}{
		{"memory", func(*testing.T) (Handoff, Handoff) { m := NewMemory(); return m, m }},
		{"redis", func(t *testing.T) (Handoff, Handoff) {
			srv := newRedisServer(t)
			return srv.newRedis(), srv.newRedis()
		}},
		{"fallback over redis", func(t *testing.T) (Handoff, Handoff) {
			srv := newRedisServer(t)
			a, _ := replica(t, srv.url())
			b, _ := replica(t, srv.url())
			return a, b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := tc.pair(t)
			if err := from.Hand(ctx, "slack", [][]byte{[]byte("e1"), []byte("e2")}, time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := from.Hand(ctx, "slack", [][]byte{[]byte("e3")}, time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := from.Hand(ctx, "telegram", [][]byte{[]byte("u1")}, time.Hour); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"e1", "e2", "e3"}, takeAll(t, to, "slack")); diff != "" {
				t.Errorf("taken from slack (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"u1"}, takeAll(t, to, "telegram")); diff != "" {
				t.Errorf("taken from telegram (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHandoffExpires(t *testing.T) {
	m := NewMemory()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	if err := m.Hand(ctx, "q", [][]byte{[]byte("x")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if got := takeAll(t, m, "q"); len(got) != 0 {
		t.Errorf("took %q after the queue's TTL, want nothing", got)
	}
}

// While Redis is down, work cannot be handed off (the caller tells the
// askers instead), and there is nothing to take.
func TestFallbackHandoffWhileRedisIsDown(t *testing.T) {
	srv := newRedisServer(t)
	a, _ := replica(t, srv.url())
	ctx := context.Background()
	srv.stop()
	waitFor(t, "the fallback to notice Redis is gone", func() bool { return !a.Up() })
	if err := a.Hand(ctx, "slack", [][]byte{[]byte("e1")}, time.Hour); err == nil {
		t.Error("Hand succeeded while Redis is down, want an error")
	}
	if _, ok, err := a.Take(ctx, "slack"); ok || err != nil {
		t.Errorf("Take while Redis is down = %v, %v; want nothing and no error", ok, err)
	}
}
