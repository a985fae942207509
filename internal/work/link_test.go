package work

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLink(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	l := NewLink(func() time.Time { return now })
	type state struct {
		Connected bool
		Since     time.Duration
		LastErr   string
	}
	get := func() state {
		c, s, e := l.State()
		return state{c, s.Sub(t0), e}
	}
	var got []state
	got = append(got, get())
	now = t0.Add(time.Second)
	l.Up()
	now = t0.Add(2 * time.Second)
	l.Up() // no change: since stays
	got = append(got, get())
	now = t0.Add(3 * time.Second)
	l.Down("getUpdates: connection refused")
	now = t0.Add(4 * time.Second)
	l.Down("getUpdates: timeout")
	got = append(got, get())
	want := []state{
		{false, 0, ""},
		{true, time.Second, ""},
		{false, 3 * time.Second, "getUpdates: timeout"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(time.Minute, func() time.Time { return now })
	type r struct {
		OK         bool
		Suppressed int
	}
	var got []r
	for _, step := range []time.Duration{0, time.Second, 30 * time.Second, 61 * time.Second} {
		now = now.Add(step)
		ok, n := th.Allow()
		got = append(got, r{ok, n})
	}
	if diff := cmp.Diff([]r{{true, 0}, {false, 0}, {false, 0}, {true, 2}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
