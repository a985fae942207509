package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fakeClock is a settable clock for a Memory.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestMemory(maxBytes int64) (*Memory, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	m := NewMemoryLimit(maxBytes)
	m.now = c.now
	return m, c
}

// idsFitting is how many dedup ids of the form "ev:%06d" fit in maxBytes.
func idsFitting(maxBytes int64) int { return int(maxBytes / int64(len("ev:000000")+ItemOverhead)) }

func TestMemoryKeepsYoungRateWindowThroughAFlood(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	m, clock := newTestMemory(limit)
	// Old dedup ids (one hour each), then a user's check window (one
	// minute), then a flood of new ids that overflows the store.
	for i := range 50 {
		m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", i), time.Hour)
	}
	clock.advance(time.Second)
	for range 6 {
		m.Allow(ctx, "rl:user", 5, time.Minute)
	}
	flood := idsFitting(limit) - 10
	for i := range flood {
		m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", 1000+i), time.Hour)
	}
	if ok, _ := m.Allow(ctx, "rl:user", 5, time.Minute); ok {
		t.Error("a user over the limit got another check after a flood: the live window was evicted before older keys")
	}
	if first, _ := m.FirstSeen(ctx, "ev:000000", time.Hour); !first {
		t.Error("the oldest dedup id survived while the store overflowed; oldest keys go first")
	}
	if b := m.Bytes(); b > limit {
		t.Errorf("store holds %d bytes, over its bound of %d", b, limit)
	}
}

func TestMemoryEvictsOldestDedupIDsFirst(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	m, clock := newTestMemory(limit)
	n := idsFitting(limit)
	// Twice what fits, one id a millisecond: the second half must all be
	// remembered, the first mostly forgotten.
	for i := range 2 * n {
		m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", i), time.Hour)
		clock.advance(time.Millisecond)
	}
	for i := n + 1; i < 2*n; i++ {
		if first, _ := m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", i), time.Hour); first {
			t.Fatalf("id %d of %d, among the newest that fit, was forgotten", i, 2*n)
		}
	}
}

func TestMemoryEvictsCachedValuesBeforeDedupIDs(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	m, _ := newTestMemory(limit)
	m.FirstSeen(ctx, "ev:old", time.Hour)
	value := make([]byte, 1000)
	for i := range 3 * limit / 1000 {
		m.Set(ctx, fmt.Sprintf("check:%d", i), value, time.Minute)
	}
	if first, _ := m.FirstSeen(ctx, "ev:old", time.Hour); first {
		t.Error("a dedup id was evicted while cached check results were kept")
	}
	if _, ok, _ := m.Get(ctx, "check:0"); ok {
		t.Error("the oldest cached value survived an overflow")
	}
	last := fmt.Sprintf("check:%d", 3*limit/1000-1)
	if _, ok, _ := m.Get(ctx, last); !ok {
		t.Errorf("the newest cached value %s was evicted", last)
	}
}

func TestMemoryRefusesAValueTooLargeToKeep(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	m, _ := newTestMemory(limit)
	m.FirstSeen(ctx, "ev:1", time.Hour)
	if err := m.Set(ctx, "check:huge", make([]byte, limit/4), time.Minute); err != nil {
		t.Fatalf("Set of a huge value: %v", err)
	}
	if _, ok, _ := m.Get(ctx, "check:huge"); ok {
		t.Error("a value of a quarter of the bound was stored")
	}
	if first, _ := m.FirstSeen(ctx, "ev:1", time.Hour); first {
		t.Error("storing a huge value flushed a dedup id")
	}
}

func TestMemoryDropsExpiredKeysBeforeLiveOnes(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	m, clock := newTestMemory(limit)
	n := idsFitting(limit)
	m.FirstSeen(ctx, "ev:live", time.Hour)
	for i := range n - 1 {
		m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", i), time.Minute)
	}
	clock.advance(2 * time.Minute)
	for i := range n / 2 {
		m.FirstSeen(ctx, fmt.Sprintf("ev:%06d", n+i), time.Minute)
	}
	if first, _ := m.FirstSeen(ctx, "ev:live", time.Hour); first {
		t.Error("a live id older than expired ones was evicted instead of them")
	}
}

func TestMemoryRunSweepsExpiredKeys(t *testing.T) {
	ctx := context.Background()
	m, clock := newTestMemory(1 << 20)
	m.every = time.Millisecond
	for i := range 100 {
		m.Set(ctx, fmt.Sprintf("check:%d", i), []byte("result"), time.Minute)
		m.FirstSeen(ctx, fmt.Sprintf("ev:%d", i), time.Minute)
	}
	m.FirstSeen(ctx, "ev:live", time.Hour)
	m.mu.Lock()
	clock.advance(2 * time.Minute)
	m.mu.Unlock()
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); m.Run(run) }()
	waitFor(t, "the sweep to drop the expired keys", func() bool { return m.Len() == 1 })
	stop()
	<-done
	if want := int64(len("ev:live") + ItemOverhead); m.Bytes() != want {
		t.Errorf("Bytes after the sweep = %d, want %d", m.Bytes(), want)
	}
}
