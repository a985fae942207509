// Package loadstat measures what a load benchmark leaves behind: goroutines
// and live heap, so a benchmark can show that sustained load does not grow
// either.
package loadstat

import (
	"runtime"
	"testing"
	"time"
)

// Snapshot is the process's goroutine count and live heap at one moment.
type Snapshot struct {
	Goroutines int
	HeapBytes  uint64
}

// Take collects garbage and returns a snapshot.
func Take() Snapshot {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Snapshot{Goroutines: runtime.NumGoroutine(), HeapBytes: ms.HeapInuse}
}

// Report waits up to settle for goroutines to return to the count of before
// (idle connections and finished work need a moment), then reports how many
// goroutines are left over ("goroutines-left") and the live heap after the
// load ("heap-MB"). Run the benchmark at two sizes: neither figure should grow
// with the number of events.
func Report(b *testing.B, before Snapshot, settle time.Duration) {
	b.Helper()
	deadline := time.Now().Add(settle)
	after := Take()
	for after.Goroutines > before.Goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		after = Take()
	}
	b.ReportMetric(float64(after.Goroutines-before.Goroutines), "goroutines-left")
	b.ReportMetric(float64(after.HeapBytes)/(1<<20), "heap-MB")
}
