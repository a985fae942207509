package work

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// blocker is a job that runs until released or cancelled, recording how
// it ended and whether it was cut.
type blocker struct {
	release chan struct{}
	started chan string

	mu    sync.Mutex
	ended map[string]string // name -> "done", "cancelled" or "cut"
}

func newBlocker() *blocker {
	return &blocker{release: make(chan struct{}), started: make(chan string, 100), ended: map[string]string{}}
}

func (b *blocker) job(name string) Job {
	return Job{
		Do: func(ctx context.Context) {
			b.started <- name
			select {
			case <-b.release:
				b.set(name, "done")
			case <-ctx.Done():
				b.set(name, "cancelled")
			}
		},
		Cut: func(context.Context) { b.set(name, b.get(name)+"+cut") },
	}
}

func (b *blocker) set(name, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended[name] = s
}

func (b *blocker) get(name string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ended[name]
}

func (b *blocker) all() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for k, v := range b.ended {
		out[k] = v
	}
	return out
}

func TestPoolRefusesWhenFull(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 2, Queue: 3})
	b := newBlocker()
	var got []bool
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		got = append(got, p.Submit(b.job(name)))
	}
	if diff := cmp.Diff([]bool{true, true, true, true, true, false}, got); diff != "" {
		t.Errorf("Submit answers (-want +got):\n%s", diff)
	}
	if n := p.Room(); n != 0 {
		t.Errorf("Room = %d with workers and queue full, want 0", n)
	}
	if n := p.Pending(); n != 5 {
		t.Errorf("Pending = %d, want 5", n)
	}
	<-b.started
	<-b.started
	freed := p.Freed()
	b.release <- struct{}{}
	<-freed
	if !p.Submit(b.job("g")) {
		t.Error("Submit refused after a job finished")
	}
	close(b.release)
	if n := p.Drain(context.Background()); n != 0 {
		t.Errorf("Drain cut %d jobs that could finish, want 0", n)
	}
	if p.Submit(b.job("late")) {
		t.Error("Submit accepted a job after Drain")
	}
	want := map[string]string{"a": "done", "b": "done", "c": "done", "d": "done", "e": "done", "g": "done"}
	if diff := cmp.Diff(want, b.all()); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
}

// A drain that runs out of time cancels the running jobs, drops the queued
// ones and gives each its Cut notice: nothing accepted ends in silence.
func TestPoolDrainCutsWhatCannotFinish(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 2, Queue: 10, Notice: 20 * time.Millisecond})
	b := newBlocker()
	for _, name := range []string{"a", "b", "c", "d"} {
		if !p.Submit(b.job(name)) {
			t.Fatalf("Submit(%s) refused", name)
		}
	}
	<-b.started
	<-b.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n := p.Drain(ctx); n != 4 {
		t.Errorf("Drain cut %d jobs, want 4", n)
	}
	want := map[string]string{"a": "cancelled+cut", "b": "cancelled+cut", "c": "+cut", "d": "+cut"}
	if diff := cmp.Diff(want, b.all()); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	if n := p.Drain(context.Background()); n != 4 {
		t.Errorf("a second Drain reports %d cut, want the 4 of the first", n)
	}
}

func TestPoolSurvivesAPanic(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 1})
	var mu sync.Mutex
	var ran []string
	p.Submit(Job{Do: func(context.Context) { panic("boom") }})
	p.Submit(Job{Do: func(context.Context) { mu.Lock(); ran = append(ran, "after"); mu.Unlock() }})
	if n := p.Drain(context.Background()); n != 0 {
		t.Errorf("Drain cut %d, want 0", n)
	}
	if diff := cmp.Diff([]string{"after"}, ran); diff != "" {
		t.Errorf("jobs run after a panic (-want +got):\n%s", diff)
	}
}

func TestPoolTimeout(t *testing.T) {
	p := NewPool(PoolConfig{Timeout: time.Millisecond})
	var deadline bool
	p.Submit(Job{Do: func(ctx context.Context) {
		<-ctx.Done()
		_, deadline = ctx.Deadline()
	}})
	p.Drain(context.Background())
	if !deadline {
		t.Error("a job's context has no deadline")
	}
}

func TestDefault(t *testing.T) {
	tests := []struct{ v, def, want time.Duration }{
		{0, time.Second, time.Second},
		{-1, time.Second, 0},
		{2 * time.Second, time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		if got := Default(tt.v, tt.def); got != tt.want {
			t.Errorf("Default(%v, %v) = %v, want %v", tt.v, tt.def, got, tt.want)
		}
	}
	if got := Default(0, 64); got != 64 {
		t.Errorf("Default(0, 64) = %d, want 64", got)
	}
}

// sortedKeys is used by tests that compare sets.
func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestTally(t *testing.T) {
	var tl Tally
	var got []int
	for _, total := range []int{0, 3, 3, 5, 4} {
		got = append(got, tl.Add(total))
	}
	if diff := cmp.Diff([]int{0, 3, 0, 2, 0}, got); diff != "" {
		t.Errorf("Add (-want +got):\n%s", diff)
	}
}

// TestPoolHandsOffUnstartedJobs: at a drain, queued jobs with a payload go
// to the Handoff (another replica does them) instead of waiting; when the
// hand-off fails they are done here.
func TestPoolHandsOffUnstartedJobs(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "handed", true: "hand-off fails"}[fail], func(t *testing.T) {
			var handedOff []string
			b := newBlocker()
			p := NewPool(PoolConfig{Workers: 1, Queue: 10, Handoff: func(_ context.Context, payloads [][]byte) error {
				defer close(b.release) // "a" runs until the hand-off is done
				if fail {
					return errors.New("store down")
				}
				for _, pl := range payloads {
					handedOff = append(handedOff, string(pl))
				}
				return nil
			}})
			var mu sync.Mutex
			var handed []string
			for _, name := range []string{"a", "b", "c", "local"} {
				j := b.job(name)
				if name != "local" {
					j.Payload = []byte(name)
				}
				j.Handed = func() { mu.Lock(); handed = append(handed, name); mu.Unlock() }
				p.Submit(j)
			}
			<-b.started
			if n := p.Drain(context.Background()); n != 0 {
				t.Errorf("Drain cut %d, want 0", n)
			}
			want := map[string]string{"a": "done", "b": "done", "c": "done", "local": "done"}
			wantHanded := []string(nil)
			if !fail {
				want = map[string]string{"a": "done", "local": "done"}
				wantHanded = []string{"b", "c"}
			}
			if diff := cmp.Diff(want, b.all()); diff != "" {
				t.Errorf("jobs done here (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantHanded, handedOff); diff != "" {
				t.Errorf("handed off (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantHanded, handed); diff != "" {
				t.Errorf("Handed called for (-want +got):\n%s", diff)
			}
			if got := p.Handed(); got != len(wantHanded) {
				t.Errorf("Handed() = %d, want %d", got, len(wantHanded))
			}
		})
	}
}

func TestPoolSubmitWait(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 1, Queue: -1})
	b := newBlocker()
	p.Submit(b.job("a"))
	<-b.started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p.SubmitWait(ctx, b.job("refused")) {
		t.Error("SubmitWait took a job into a full pool after its context ended")
	}
	done := make(chan bool)
	go func() { done <- p.SubmitWait(context.Background(), b.job("b")) }()
	b.release <- struct{}{}
	if !<-done {
		t.Error("SubmitWait refused a job once room was made")
	}
	close(b.release)
	p.Drain(context.Background())
	if p.SubmitWait(context.Background(), b.job("late")) {
		t.Error("SubmitWait took a job after Drain")
	}
	if diff := cmp.Diff(map[string]string{"a": "done", "b": "done"}, b.all()); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
}
