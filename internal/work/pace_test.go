package work

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/store"
)

// sharedStore is a shared store whose Reserve records the keys it books.
type sharedStore struct {
	store.Store
	keys map[string]int
	fail bool
}

func (s *sharedStore) Reserve(_ context.Context, key string, _, _ time.Duration) (time.Duration, error) {
	if s.fail {
		return 0, errors.New("down")
	}
	s.keys[key]++
	return time.Duration(s.keys[key]) * time.Hour, nil
}

func TestPacer(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	chat := Rule{Key: "chat:7", Interval: time.Second}
	group := Rule{Key: "group:7", Interval: 3 * time.Second, Burst: 57 * time.Second}
	t.Run("in process", func(t *testing.T) {
		p := NewPacer(store.NewMemory(), clock, nil)
		var got []time.Duration
		for range 3 {
			got = append(got, p.Reserve(ctx, chat, group))
		}
		got = append(got, p.Reserve(ctx, Rule{Key: "off"}))
		if diff := cmp.Diff([]time.Duration{0, time.Second, 2 * time.Second, 0}, got); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})
	t.Run("shared", func(t *testing.T) {
		s := &sharedStore{Store: store.NewMemory(), keys: map[string]int{}}
		p := NewPacer(s, clock, nil)
		if got := p.Reserve(ctx, chat, group); got != time.Hour {
			t.Errorf("wait = %v, want the shared store's 1h", got)
		}
		if diff := cmp.Diff([]string{"chat:7", "group:7"}, sortedKeys(s.keys)); diff != "" {
			t.Errorf("keys booked on the shared store (-want +got):\n%s", diff)
		}
		s.fail = true
		if got := p.Reserve(ctx, chat); got != 0 {
			t.Errorf("wait when the shared store fails = %v, want the local 0", got)
		}
	})
}
