package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSlots(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		at       time.Duration // since t0
		key      string
		interval time.Duration
		burst    time.Duration
		wait     time.Duration
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"one a second per chat", []step{
			{0, "c1", time.Second, 0, 0},
			{0, "c1", time.Second, 0, time.Second},
			{0, "c1", time.Second, 0, 2 * time.Second},
			{0, "c2", time.Second, 0, 0},
			{5 * time.Second, "c1", time.Second, 0, 0},
		}},
		{"a burst then the rate", []step{
			// 20 a minute: 3 s apart, 19 ahead of the schedule allowed.
			{0, "g", 3 * time.Second, 57 * time.Second, 0},
			{0, "g", 3 * time.Second, 57 * time.Second, 0},
			{0, "g", 3 * time.Second, 57 * time.Second, 0},
		}},
	}
	burst := tests[1].steps[0]
	for range 17 {
		tests[1].steps = append(tests[1].steps, burst)
	}
	tests[1].steps = append(tests[1].steps,
		step{0, "g", 3 * time.Second, 57 * time.Second, 3 * time.Second},
		step{0, "g", 3 * time.Second, 57 * time.Second, 6 * time.Second},
		step{60 * time.Second, "g", 3 * time.Second, 57 * time.Second, 0})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var now time.Time
			s := NewSlots(func() time.Time { return now })
			var want, got []time.Duration
			for _, st := range tt.steps {
				now = t0.Add(st.at)
				w, err := s.Reserve(context.Background(), st.key, st.interval, st.burst)
				if err != nil {
					t.Fatal(err)
				}
				want, got = append(want, st.wait), append(got, w)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlotsForgetPastKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSlots(func() time.Time { return now })
	ctx := context.Background()
	for i := range maxSlotKeys {
		s.Reserve(ctx, string(rune(i)), time.Second, 0)
	}
	now = now.Add(time.Minute)
	s.Reserve(ctx, "new", time.Second, 0)
	if n := len(s.tat); n != 1 {
		t.Errorf("%d keys kept after every schedule passed, want 1", n)
	}
}

// Two replicas sending to one chat share its schedule through Redis.
func TestRedisReserveSharedByReplicas(t *testing.T) {
	srv := newRedisServer(t)
	a, _ := replica(t, srv.url())
	b, _ := replica(t, srv.url())
	ctx := context.Background()
	var got []time.Duration
	for _, r := range []Reserver{a, b, a, b} {
		w, err := r.Reserve(ctx, "telegram:7", time.Hour, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// The server's clock moves between calls: round to the hour.
		got = append(got, w.Round(time.Hour))
	}
	if diff := cmp.Diff([]time.Duration{0, 0, time.Hour, 2 * time.Hour}, got); diff != "" {
		t.Errorf("waits across replicas (-want +got):\n%s", diff)
	}
}

func TestFallbackReserveWhileRedisIsDown(t *testing.T) {
	srv := newRedisServer(t)
	a, _ := replica(t, srv.url())
	srv.stop()
	waitFor(t, "the fallback to notice Redis is gone", func() bool { return !a.Up() })
	ctx := context.Background()
	var got []time.Duration
	for range 2 {
		w, err := a.Reserve(ctx, "c", time.Hour, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, w.Round(time.Hour))
	}
	if diff := cmp.Diff([]time.Duration{0, time.Hour}, got); diff != "" {
		t.Errorf("waits from memory (-want +got):\n%s", diff)
	}
}
