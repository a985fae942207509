package work

import (
	"sync"
	"time"
)

// Link records whether an adapter reaches its platform: the outcome of
// its last poll, socket or API call.
type Link struct {
	now func() time.Time

	mu        sync.Mutex
	connected bool
	since     time.Time
	lastErr   string
}

// NewLink returns a link that is not connected yet, since now.
func NewLink(now func() time.Time) *Link {
	if now == nil {
		now = time.Now
	}
	return &Link{now: now, since: now()}
}

// Up records a successful exchange with the platform.
func (l *Link) Up() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.connected {
		l.connected, l.since = true, l.now()
	}
}

// Down records a failure to reach the platform; reason must hold no
// secret.
func (l *Link) Down(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastErr = reason
	if l.connected {
		l.connected, l.since = false, l.now()
	}
}

// State returns whether the platform is reached, since when that holds,
// and the last failure (empty when there was none).
func (l *Link) State() (connected bool, since time.Time, lastErr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.connected, l.since, l.lastErr
}
