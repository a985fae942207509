package work

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/store"
)

type failingStore struct{ store.Store }

func (failingStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("down")
}

func TestDedup(t *testing.T) {
	d := Dedup{Store: store.NewMemory(), TTL: time.Hour, Platform: "slack"}
	ctx := context.Background()
	var got []bool
	for _, k := range []string{"a", "b", "a"} {
		got = append(got, d.First(ctx, k))
	}
	if diff := cmp.Diff([]bool{true, true, false}, got); diff != "" {
		t.Errorf("First (-want +got):\n%s", diff)
	}
	d.Store = failingStore{store.NewMemory()}
	if !d.First(ctx, "a") || !d.First(ctx, "a") {
		t.Error("a failing store drops work; want it handled")
	}
}
