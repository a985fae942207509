package learn

import (
	"context"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/beianbot/beianbot/internal/metrics"
)

// Recorder defaults.
const (
	// DefaultBuffer is how many records may wait for the writer.
	DefaultBuffer = 4096
	// maxBatch bounds the records written in one transaction.
	maxBatch = 256
	// writeTimeout bounds one write to the database.
	writeTimeout = 5 * time.Second
	// FlushBudget bounds the final write at shutdown by default.
	FlushBudget = 2 * time.Second
	// dropLogEvery rate-limits the log line about dropped records.
	dropLogEvery = 10 * time.Second
	// sweepEvery is how often expired records are deleted.
	sweepEvery = time.Hour
)

// writeRetries are the waits before the second and later attempts at a
// failed write.
var writeRetries = [...]time.Duration{100 * time.Millisecond, 500 * time.Millisecond}

// RecorderConfig configures a Recorder.
type RecorderConfig struct {
	// Store is where records go. Required.
	Store Store
	// Keyer hashes user ids. Required.
	Keyer *Keyer
	// Buffer is how many records may wait for the writer (DefaultBuffer).
	Buffer int
	// Retention is how long records are kept; 0 keeps them.
	Retention time.Duration
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
}

// record is one question or one feedback waiting for the writer, with the
// raw user id that the writer hashes (so the hot path does not).
type record struct {
	feedback bool
	q        Question
	f        Feedback
	platform string
	user     string
}

// Recorder writes questions and feedback to a Store in the background.
// Record and Feedback never wait: when the buffer is full the record is
// dropped and counted. Run, the one writer, batches what waits.
type Recorder struct {
	store     Store
	keyer     *Keyer
	ch        chan record
	retention time.Duration
	metrics   *metrics.Metrics
	logger    *slog.Logger

	dropped atomic.Int64 // since the last log line
	lastLog atomic.Int64 // unix nanoseconds of the last log line
}

// NewRecorder returns a Recorder for cfg; call Run to start writing.
func NewRecorder(cfg RecorderConfig) *Recorder {
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recorder{
		store:     cfg.Store,
		keyer:     cfg.Keyer,
		ch:        make(chan record, cfg.Buffer),
		retention: cfg.Retention,
		metrics:   cfg.Metrics,
		logger:    cfg.Logger,
	}
}

// NewID returns a fresh record id: 16 hex digits.
func NewID() string {
	var b [8]byte
	u := rand.Uint64()
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}

// IsID reports whether s has the form of a record id (see NewID).
func IsID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Record queues q, asked by user (a platform user id, hashed before it is
// stored), and returns its ID. q.ID and q.Time are set here when empty.
func (r *Recorder) Record(q Question, user string) string {
	if q.ID == "" {
		q.ID = NewID()
	}
	if q.Time.IsZero() {
		q.Time = time.Now()
	}
	r.put(record{q: q, platform: q.Platform, user: user})
	return q.ID
}

// Feedback queues f, given by user (a platform user id) on platform.
func (r *Recorder) Feedback(f Feedback, platform, user string) {
	if f.Time.IsZero() {
		f.Time = time.Now()
	}
	r.put(record{feedback: true, f: f, platform: platform, user: user})
}

func (r *Recorder) put(rec record) {
	select {
	case r.ch <- rec:
	default:
		r.drop("full", 1)
	}
}

// drop counts n lost records and says so in the log, at most once every
// dropLogEvery.
func (r *Recorder) drop(reason string, n int) {
	r.metrics.RecordDropped(reason, n)
	total := r.dropped.Add(int64(n))
	now := time.Now().UnixNano()
	last := r.lastLog.Load()
	if now-last < int64(dropLogEvery) || !r.lastLog.CompareAndSwap(last, now) {
		return
	}
	r.dropped.Add(-total)
	r.logger.Warn("learning records dropped", "count", total, "reason", reason)
}

// Run writes queued records until ctx ends. It also deletes records older
// than the retention, at start and every hour. What is still queued when
// it returns is for Flush.
func (r *Recorder) Run(ctx context.Context) {
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	r.sweep(ctx)
	batch := make([]record, 0, maxBatch)
	for {
		select {
		case rec := <-r.ch:
			batch = r.fill(append(batch[:0], rec))
			r.write(context.WithoutCancel(ctx), ctx, batch)
		case <-sweep.C:
			r.sweep(ctx)
		case <-ctx.Done():
			return
		}
	}
}

// fill adds what is queued to batch, up to maxBatch, without waiting.
func (r *Recorder) fill(batch []record) []record {
	for len(batch) < maxBatch {
		select {
		case rec := <-r.ch:
			batch = append(batch, rec)
		default:
			return batch
		}
	}
	return batch
}

// Flush writes everything queued until ctx ends (FlushBudget from now if
// it has no deadline); what is left then is dropped and counted. Call it
// after Run has returned and nothing records any more.
func (r *Recorder) Flush(ctx context.Context) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, FlushBudget)
		defer cancel()
	}
	batch := make([]record, 0, maxBatch)
	for {
		batch = r.fill(batch[:0])
		if len(batch) == 0 {
			return
		}
		if ctx.Err() != nil {
			n := len(batch)
			for more := r.fill(batch[:0]); len(more) > 0; more = r.fill(batch[:0]) {
				n += len(more)
			}
			r.drop("error", n)
			return
		}
		r.write(ctx, ctx, batch)
	}
}

// write stores one batch, trying again a few times when the database
// fails, until stop ends; what still fails is dropped and counted. ctx
// bounds each attempt.
func (r *Recorder) write(ctx, stop context.Context, batch []record) {
	var qs []Question
	var fs []Feedback
	for _, rec := range batch {
		if rec.feedback {
			rec.f.UserKey = r.keyer.Key(rec.platform, rec.user)
			fs = append(fs, rec.f)
			continue
		}
		rec.q.UserKey = r.keyer.Key(rec.platform, rec.user)
		qs = append(qs, rec.q)
	}
	if len(qs) > 0 {
		if r.retry(ctx, stop, "store questions", func(ctx context.Context) error { return r.store.AddQuestions(ctx, qs) }) {
			r.metrics.RecordWritten("question", len(qs))
		} else {
			r.drop("error", len(qs))
		}
	}
	for i, f := range fs {
		ok := r.retry(ctx, stop, "store feedback", func(ctx context.Context) error {
			_, err := r.store.AddFeedback(ctx, f)
			return err
		})
		if !ok {
			r.drop("error", len(fs)-i)
			return
		}
		r.metrics.RecordWritten("feedback", 1)
	}
}

// retry runs fn until it succeeds, the retries are spent or stop ends,
// and reports whether it succeeded.
func (r *Recorder) retry(ctx, stop context.Context, what string, fn func(context.Context) error) bool {
	for attempt := 0; ; attempt++ {
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := fn(wctx)
		cancel()
		if err == nil {
			return true
		}
		if attempt == len(writeRetries) || stop.Err() != nil {
			r.logger.Warn("learning database write failed", "what", what, "attempts", attempt+1, "err", err)
			return false
		}
		t := time.NewTimer(writeRetries[attempt])
		select {
		case <-t.C:
		case <-stop.Done():
			t.Stop()
		}
	}
}

// sweep deletes records older than the retention.
func (r *Recorder) sweep(ctx context.Context) {
	if r.retention <= 0 {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	n, err := r.store.ForgetBefore(sctx, time.Now().Add(-r.retention))
	if err != nil {
		r.logger.Warn("delete expired learning records", "err", err)
		return
	}
	if n > 0 {
		r.logger.Info("expired learning records deleted", "rows", n, "retention", r.retention.String())
	}
}
