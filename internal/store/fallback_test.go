package store

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/metrics"
)

// fakeRemote is a Remote kept in memory that can be switched off.
type fakeRemote struct {
	*Memory
	broken atomic.Bool
	calls  atomic.Int32
}

var errBroken = errors.New("connection refused")

func (f *fakeRemote) check() error {
	f.calls.Add(1)
	if f.broken.Load() {
		return errBroken
	}
	return nil
}

func (f *fakeRemote) Probe(context.Context) error { return f.check() }

func (f *fakeRemote) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := f.check(); err != nil {
		return false, err
	}
	return f.Memory.FirstSeen(ctx, key, ttl)
}

func (f *fakeRemote) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := f.check(); err != nil {
		return nil, false, err
	}
	return f.Memory.Get(ctx, key)
}

func (f *fakeRemote) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Memory.Set(ctx, key, v, ttl)
}

func (f *fakeRemote) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	if err := f.check(); err != nil {
		return false, err
	}
	return f.Memory.Allow(ctx, key, limit, window)
}

// metricValue returns the value of the sample of name whose labels include
// every pair in labels, or -1 when there is none.
func metricValue(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, s := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func newTestFallback(remote Remote) (*Fallback, *metrics.Metrics, *syncbuf.Buffer) {
	m := metrics.New()
	logs := &syncbuf.Buffer{}
	f := NewFallback(FallbackConfig{
		Remote:        remote,
		Metrics:       m,
		Logger:        slog.New(slog.NewTextHandler(logs, nil)),
		ProbeInterval: 10 * time.Millisecond,
	})
	return f, m, logs
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFallbackAnswersFromMemoryWhileRemoteIsDown(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	f, m, logs := newTestFallback(remote)
	ctx := context.Background()

	if first, _ := f.FirstSeen(ctx, "before", time.Hour); !first {
		t.Fatal("FirstSeen(before) = false on an empty store")
	}
	if first, _ := remote.Memory.FirstSeen(ctx, "before", time.Hour); first {
		t.Error("a key seen while the remote is up was not written to the remote")
	}

	remote.broken.Store(true)
	var got []bool
	for _, key := range []string{"during", "during", "before"} {
		first, err := f.FirstSeen(ctx, key, time.Hour)
		if err != nil {
			t.Fatalf("FirstSeen while down: %v", err)
		}
		got = append(got, first)
	}
	// "before" is recognised from the memory mirror.
	if diff := cmp.Diff([]bool{true, false, false}, got); diff != "" {
		t.Errorf("FirstSeen while down (-want +got):\n%s", diff)
	}
	if f.Up() {
		t.Error("Up() = true after the remote failed")
	}
	if err := f.Set(ctx, "cache", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := f.Get(ctx, "cache"); err != nil || !ok || string(v) != "v" {
		t.Errorf("Get(cache) while down = %q, %v, %v", v, ok, err)
	}
	var allowed []bool
	for range 3 {
		ok, err := f.Allow(ctx, "user", 2, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		allowed = append(allowed, ok)
	}
	if diff := cmp.Diff([]bool{true, true, false}, allowed); diff != "" {
		t.Errorf("Allow while down (-want +got):\n%s", diff)
	}

	// Only the first call after the outage waited on the remote.
	if n := remote.calls.Load(); n != 2 {
		t.Errorf("remote called %d times, want 2 (one success, then the one failure that opened the breaker)", n)
	}
	for op, want := range map[string]float64{"first_seen": 3, "set": 1, "get": 1, "allow": 3} {
		if got := metricValue(t, m, "beianbot_store_errors_total", map[string]string{"op": op}); got != want {
			t.Errorf("beianbot_store_errors_total{op=%q} = %v, want %v", op, got, want)
		}
	}
	if got := metricValue(t, m, "beianbot_store_up", map[string]string{"store": "redis"}); got != 0 {
		t.Errorf("beianbot_store_up = %v while down, want 0", got)
	}
	if n := strings.Count(logs.String(), "shared store unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), errBroken.Error()) {
		t.Errorf("log does not say why:\n%s", logs)
	}
}

func TestFallbackReturnsToRemote(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	remote.broken.Store(true)
	f, m, logs := newTestFallback(remote)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// Start-up with the remote down: the first probe finds out, and calls
	// are answered meanwhile.
	waitFor(t, "the fallback to notice the remote is down", func() bool { return !f.Up() })
	if first, err := f.FirstSeen(ctx, "k", time.Hour); err != nil || !first {
		t.Errorf("FirstSeen while down = %v, %v; want true, nil", first, err)
	}

	remote.broken.Store(false)
	waitFor(t, "the fallback to return to the remote", f.Up)
	if got := metricValue(t, m, "beianbot_store_up", map[string]string{"store": "redis"}); got != 1 {
		t.Errorf("beianbot_store_up = %v after recovery, want 1", got)
	}
	if first, _ := f.FirstSeen(ctx, "after", time.Hour); !first {
		t.Error("FirstSeen(after) = false")
	}
	if first, _ := remote.Memory.FirstSeen(ctx, "after", time.Hour); first {
		t.Error("after recovery, keys are not written to the remote")
	}
	if !strings.Contains(logs.String(), "shared store reachable again") {
		t.Errorf("recovery not logged:\n%s", logs)
	}

	// An outage while no calls come in is still noticed.
	remote.broken.Store(true)
	waitFor(t, "the probe to notice an idle outage", func() bool { return !f.Up() })
}

func TestFallbackLogsOutagesAtARate(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	f, _, logs := newTestFallback(remote)
	now := time.Unix(1_700_000_000, 0)
	f.downLog.now = func() time.Time { return now }
	f.upLog.now = func() time.Time { return now }
	ctx := context.Background()

	flap := func() {
		remote.broken.Store(true)
		f.FirstSeen(ctx, "k", time.Hour)
		remote.broken.Store(false)
		f.probe(ctx)
	}
	for range 5 {
		flap()
	}
	if n := strings.Count(logs.String(), "shared store unreachable"); n != 1 {
		t.Errorf("5 outages within the log period logged %d times, want 1:\n%s", n, logs)
	}
	now = now.Add(time.Minute)
	flap()
	if !strings.Contains(logs.String(), "suppressed=4") {
		t.Errorf("the next outage line does not count the 4 held back:\n%s", logs)
	}
}

func TestFallbackIgnoresCallerCancellation(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	f, m, _ := newTestFallback(&blockingRemote{fakeRemote: remote})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if first, err := f.FirstSeen(ctx, "k", time.Hour); err != nil || !first {
		t.Errorf("FirstSeen with a cancelled context = %v, %v; want true from memory", first, err)
	}
	if !f.Up() {
		t.Error("a caller giving up marked the remote down")
	}
	if got := metricValue(t, m, "beianbot_store_errors_total", nil); got > 0 {
		t.Errorf("a caller giving up counted %v store errors", got)
	}
}

// blockingRemote answers only when the context ends.
type blockingRemote struct{ *fakeRemote }

func (b *blockingRemote) FirstSeen(ctx context.Context, _ string, _ time.Duration) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

func TestFallbackOpTimeoutOpensBreaker(t *testing.T) {
	remote := &blockingRemote{fakeRemote: &fakeRemote{Memory: NewMemory()}}
	f := NewFallback(FallbackConfig{Remote: remote, OpTimeout: time.Millisecond})
	if first, err := f.FirstSeen(context.Background(), "k", time.Hour); err != nil || !first {
		t.Errorf("FirstSeen on a hanging remote = %v, %v; want true from memory", first, err)
	}
	if f.Up() {
		t.Error("a remote that timed out is still considered up")
	}
}

func TestFallbackRemembersOutageKeysAfterRecovery(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	f, _, _ := newTestFallback(remote)
	ctx := context.Background()
	remote.broken.Store(true)
	if first, _ := f.FirstSeen(ctx, "during", time.Hour); !first {
		t.Fatal("FirstSeen(during) = false on an empty store")
	}
	remote.broken.Store(false)
	f.probe(ctx)
	if !f.Up() {
		t.Fatal("probe did not bring the remote back")
	}
	if first, _ := f.FirstSeen(ctx, "during", time.Hour); first {
		t.Error("an event first handled during the outage was answered again after recovery")
	}
}

func TestStoreUpIsSetOnlyOnceKnown(t *testing.T) {
	remote := &fakeRemote{Memory: NewMemory()}
	remote.broken.Store(true)
	f, m, _ := newTestFallback(remote)
	if got := metricValue(t, m, "beianbot_store_up", map[string]string{"store": "redis"}); got != -1 {
		t.Errorf("beianbot_store_up = %v before anything reached the store, want it absent", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first probe to find the store down", func() bool { return !f.Up() })
	if got := metricValue(t, m, "beianbot_store_up", map[string]string{"store": "redis"}); got != 0 {
		t.Errorf("beianbot_store_up = %v with the store down, want 0", got)
	}
	remote.broken.Store(false)
	waitFor(t, "the store to be back", f.Up)
	if got := metricValue(t, m, "beianbot_store_up", map[string]string{"store": "redis"}); got != 1 {
		t.Errorf("beianbot_store_up = %v with the store back, want 1", got)
	}
}
