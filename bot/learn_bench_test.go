package bot

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/learn"
)

// BenchmarkHandleRecorded answers one question with and without the
// learning loop (recording to SQLite, feedback buttons); the difference is
// what recording adds to a handled message.
func BenchmarkHandleRecorded(b *testing.B) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		b.Fatal(err)
	}
	msg := Message{Platform: PlatformSlack, ChatID: "C1", UserID: "U0123ABC", Text: "香港服务器要备案吗", Direct: true}
	b.Run("plain", func(b *testing.B) {
		r := New(Config{Index: ix})
		b.ReportAllocs()
		for b.Loop() {
			r.Handle(context.Background(), msg)
		}
	})
	b.Run("recorded", func(b *testing.B) {
		// No writer runs while the loop does (the buffer holds every
		// record): what is measured is the answering goroutine's own cost.
		rec := learn.NewRecorder(learn.RecorderConfig{Store: discard{}, Keyer: learn.NewKeyer([]byte("k")), Buffer: 1 << 20})
		r := New(Config{Index: ix, Learning: Learning{Recorder: rec}})
		b.ReportAllocs()
		for b.Loop() {
			r.Handle(context.Background(), msg)
		}
	})
	b.Run("recorded-sqlite", func(b *testing.B) {
		// The writer stores to SQLite on the same two cores: the cost
		// includes its share of the CPU.
		st, err := learn.Open(context.Background(), learn.Location{Path: filepath.Join(b.TempDir(), "learn.db")})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchRecorded(b, ix, msg, st)
	})
}

// discard is a learning store that keeps nothing.
type discard struct{ learn.Store }

func (discard) AddQuestions(context.Context, []learn.Question) error { return nil }

func (discard) AddFeedback(context.Context, learn.Feedback) (bool, error) { return true, nil }

func benchRecorded(b *testing.B, ix *faq.Index, msg Message, st learn.Store) {
	rec := learn.NewRecorder(learn.RecorderConfig{Store: st, Keyer: learn.NewKeyer([]byte("k")), Buffer: 1 << 16})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(ctx) }()
	r := New(Config{Index: ix, Learning: Learning{Recorder: rec}})
	b.ReportAllocs()
	for b.Loop() {
		r.Handle(context.Background(), msg)
	}
	b.StopTimer()
	cancel()
	<-done
}

// BenchmarkLearnHook is exactly what the learning loop adds to handling a
// message: recording the question (queueing it) and adding the 👍/👎
// buttons to the answer.
func BenchmarkLearnHook(b *testing.B) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rec := learn.NewRecorder(learn.RecorderConfig{Store: discard{}, Keyer: learn.NewKeyer([]byte("k")), Buffer: 1 << 20})
	r := New(Config{Index: ix, Learning: Learning{Recorder: rec}})
	msg := Message{Platform: PlatformSlack, ChatID: "C1", UserID: "U0123ABC", Text: "香港服务器要备案吗", Direct: true}
	rep := New(Config{Index: ix}).Handle(context.Background(), msg)
	b.ReportAllocs()
	for b.Loop() {
		r.learn(msg, rep)
	}
}
