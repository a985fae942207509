package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/syncbuf"
)

// runRecorder starts rec.Run and returns a function that stops it and
// waits for its flush.
func runRecorder(rec *Recorder) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Run(ctx)
	}()
	return func() { cancel(); <-done; rec.Flush(context.Background()) }
}

func TestRecorderWritesAndFlushes(t *testing.T) {
	ctx := context.Background()
	s := openT(t, Location{Path: filepath.Join(t.TempDir(), "learn.db")})
	m := metrics.New()
	keyer := NewKeyer([]byte("k"))
	rec := NewRecorder(RecorderConfig{Store: s, Keyer: keyer, Metrics: m})
	stop := runRecorder(rec)
	var ids []string
	for i := range 500 {
		ids = append(ids, rec.Record(Question{Platform: "slack", Chat: "C1", Text: fmt.Sprintf("问题 %d", i), Outcome: OutcomeDeclined}, "U123"))
	}
	rec.Feedback(Feedback{Question: ids[0], Kind: KindUp, Entry: "e1"}, "slack", "U123")
	stop() // Run ends, and Flush writes everything queued
	qs, err := s.Questions(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 500 {
		t.Fatalf("stored %d questions, want 500", len(qs))
	}
	want := keyer.Key("slack", "U123")
	for _, q := range qs {
		if q.UserKey != want || strings.Contains(q.UserKey, "U123") {
			t.Fatalf("question stored with user key %q, want the keyed hash %q", q.UserKey, want)
		}
	}
	fs, err := s.Feedback(ctx, time.Time{})
	if err != nil || len(fs) != 1 || fs[0].UserKey != want || fs[0].Question != ids[0] {
		t.Errorf("feedback stored: %+v, %v; want one 👍 on %s by %s", fs, err, ids[0], want)
	}
}

// failing is a Store whose writes fail while down is set.
type failing struct {
	Store
	mu   sync.Mutex
	down bool
	n    int
}

func (f *failing) AddQuestions(ctx context.Context, qs []Question) error {
	f.mu.Lock()
	down := f.down
	f.n++
	f.mu.Unlock()
	if down {
		return errors.New("connection refused")
	}
	return f.Store.AddQuestions(ctx, qs)
}

func TestRecorderDrops(t *testing.T) {
	s := openT(t, Location{Path: filepath.Join(t.TempDir(), "learn.db")})
	t.Run("full buffer", func(t *testing.T) {
		m := metrics.New()
		var logs syncbuf.Buffer
		rec := NewRecorder(RecorderConfig{Store: s, Keyer: NewKeyer(nil), Buffer: 2, Metrics: m,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		// No writer runs: the third record on finds the buffer full.
		for range 5 {
			rec.Record(Question{Platform: "telegram", Text: "x", Outcome: OutcomeDeclined}, "1")
		}
		if got := dropped(t, m, "full"); got != 3 {
			t.Errorf("dropped (full) = %v, want 3", got)
		}
		if n := strings.Count(logs.String(), "learning records dropped"); n != 1 {
			t.Errorf("%d log lines about drops, want 1 (rate-limited):\n%s", n, logs.String())
		}
	})
	t.Run("no time left to flush", func(t *testing.T) {
		m := metrics.New()
		rec := NewRecorder(RecorderConfig{Store: s, Keyer: NewKeyer(nil), Metrics: m})
		for range 3 {
			rec.Record(Question{Platform: "telegram", Text: "late", Outcome: OutcomeDeclined}, "1")
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec.Flush(ctx)
		if got := dropped(t, m, "error"); got != 3 || len(rec.ch) != 0 {
			t.Errorf("dropped (error) = %v with %d left queued, want 3 and none", got, len(rec.ch))
		}
	})
	t.Run("database down", func(t *testing.T) {
		m := metrics.New()
		f := &failing{Store: s, down: true}
		rec := NewRecorder(RecorderConfig{Store: f, Keyer: NewKeyer(nil), Metrics: m})
		ctx := context.Background()
		rec.write(ctx, ctx, []record{{q: Question{ID: "q", Platform: "telegram", Text: "lost", Outcome: OutcomeDeclined}, user: "1"}})
		if got := dropped(t, m, "error"); got != 1 {
			t.Errorf("dropped (error) = %v, want 1", got)
		}
		if f.n != 1+len(writeRetries) {
			t.Errorf("%d attempts at the write, want %d", f.n, 1+len(writeRetries))
		}
	})
}

func dropped(t *testing.T, m *metrics.Metrics, reason string) float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "beianbot_record_dropped_total" {
			continue
		}
		for _, mm := range f.GetMetric() {
			for _, l := range mm.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return mm.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestRecorderRetention(t *testing.T) {
	ctx := context.Background()
	s := openT(t, Location{Path: filepath.Join(t.TempDir(), "learn.db")})
	now := time.Now()
	if err := s.AddQuestions(ctx, []Question{
		question("old", "u", "a", OutcomeDeclined, now.Add(-91*24*time.Hour)),
		question("new", "u", "b", OutcomeDeclined, now.Add(-89*24*time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(RecorderConfig{Store: s, Keyer: NewKeyer(nil), Retention: 90 * 24 * time.Hour})
	rec.sweep(ctx) // as Run does at start and every hour
	qs, _ := s.Questions(ctx, time.Time{})
	if len(qs) != 1 || qs[0].ID != "new" {
		t.Errorf("after the sweep: %+v; want only the question within the retention", qs)
	}
}

func TestKeyer(t *testing.T) {
	a, b := NewKeyer([]byte("one")), NewKeyer([]byte("two"))
	k := a.Key("slack", "U1")
	for range 3 { // a pooled HMAC is reset between keys
		if got := a.Key("slack", "U1"); got != k {
			t.Fatalf("Key changed: %s then %s", k, got)
		}
	}
	if len(k) != 32 || a.Key("telegram", "U1") == k || a.Key("slack", "U2") == k || b.Key("slack", "U1") == k {
		t.Errorf("keys do not tell platform, user and secret apart: %s", k)
	}
	if a.Key("sla", "ckU1") == a.Key("slack", "U1") {
		t.Error("platform and user run together")
	}
}
