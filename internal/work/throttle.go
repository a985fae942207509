package work

import (
	"sync"
	"time"
)

// Throttle lets one event through per period and counts the rest, for log
// lines that a flood must not multiply.
type Throttle struct {
	every time.Duration
	now   func() time.Time

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// NewThrottle returns a throttle letting one event through per every.
func NewThrottle(every time.Duration, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{every: every, now: now}
}

// Allow reports whether the event may go through now, and how many were
// held back since the last one that did.
func (t *Throttle) Allow() (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if !t.last.IsZero() && now.Sub(t.last) < t.every {
		t.suppressed++
		return false, 0
	}
	n := t.suppressed
	t.last, t.suppressed = now, 0
	return true, n
}
