package learn

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/learn/pgtest"
)

// BenchmarkRecord is what recording costs the goroutine answering a
// message: queueing one question for the writer.
func BenchmarkRecord(b *testing.B) {
	rec := NewRecorder(RecorderConfig{Keyer: NewKeyer([]byte("k"))})
	done := make(chan struct{})
	go func() { // a writer that keeps up: the buffer never fills
		defer close(done)
		for range rec.ch {
		}
	}()
	q := Question{Platform: "slack", Chat: "C1", Text: "香港服务器要备案吗", Outcome: OutcomeAnswered, Entry: "section_cym_mzr_zdb", Score: 0.9}
	b.ReportAllocs()
	for b.Loop() {
		rec.Record(q, "U0123ABC")
	}
	close(rec.ch)
	<-done
}

// benchWriter measures the records per second the writer sustains on s.
func benchWriter(b *testing.B, s Store) {
	rec := NewRecorder(RecorderConfig{Store: s, Keyer: NewKeyer([]byte("k"))})
	ctx := context.Background()
	batch := make([]record, 0, maxBatch)
	start := time.Now()
	n := 0
	for b.Loop() {
		batch = append(batch, record{
			q:        Question{ID: NewID(), Platform: "slack", Chat: "C1", Text: fmt.Sprintf("备案问题 %d", n), Outcome: OutcomeDeclined, Time: time.Now()},
			platform: "slack", user: "U0123ABC",
		})
		n++
		if len(batch) == maxBatch {
			rec.write(ctx, ctx, batch)
			batch = batch[:0]
		}
	}
	rec.write(ctx, ctx, batch)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
}

func BenchmarkWriterSQLite(b *testing.B) {
	benchWriter(b, openT(b, Location{Path: filepath.Join(b.TempDir(), "learn.db")}))
}

func BenchmarkWriterPostgres(b *testing.B) {
	pg := pgtest.New(b)
	benchWriter(b, openT(b, Location{Postgres: true, URL: pg.URL()}))
}
