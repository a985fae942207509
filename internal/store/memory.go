package store

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultMemoryBytes is the size NewMemory caps a memory store at.
const DefaultMemoryBytes = 64 << 20

// ItemOverhead is what the memory store counts for one key beyond the bytes
// of the key and its value: the map entry, the list element and the item
// itself, rounded up from what BenchmarkKeyCost measures (about 180 bytes
// of heap a key). A dedup id of 25 bytes thus counts 217 bytes, and
// DefaultMemoryBytes holds about 309,000 of them.
const ItemOverhead = 192

// SweepInterval is how often Run drops expired keys.
const SweepInterval = 30 * time.Second

// memItem is one key. cache items (values from Set) are evicted before
// marks (FirstSeen ids and Allow windows), each kind oldest first.
type memItem struct {
	key     string
	value   []byte
	count   int
	expires time.Time
	cache   bool
	elem    *list.Element
}

func (it *memItem) size() int64 { return int64(len(it.key) + len(it.value) + ItemOverhead) }

// Memory is an in-process Store, bounded in bytes. The zero value is not
// usable; use NewMemory or NewMemoryLimit.
//
// When a write would pass the bound, expired keys are dropped first; if
// that is not enough, cached values (Set) go, oldest first, and only when
// none is left, dedup ids (FirstSeen) and rate-limit windows (Allow), again
// oldest first. So a dedup id or a window is never dropped while an older
// one is kept, nor while any cached value is. A value larger than an
// eighth of the bound is not stored at all (Set succeeds; Get finds
// nothing): one entry cannot flush everything else.
//
// Expired keys are dropped when read, when space is needed, and every
// SweepInterval while Run runs.
type Memory struct {
	mu        sync.Mutex
	items     map[string]*memItem
	cache     list.List // *memItem, oldest first
	marks     list.List // *memItem, oldest first
	bytes     int64
	max       int64
	lastSweep time.Time
	now       func() time.Time
	every     time.Duration // how often Run sweeps: SweepInterval

	// slots, leases and handoff are the adapters' pacing, polling leases
	// and handed-off work (pace.go, lease.go, handoff.go), kept apart
	// from the bounded keys above.
	slots   *Slots
	leases  *leaseTable
	handoff *handoffTable
}

// NewMemory returns an empty memory store of DefaultMemoryBytes.
func NewMemory() *Memory { return NewMemoryLimit(DefaultMemoryBytes) }

// NewMemoryLimit returns an empty memory store that holds at most maxBytes,
// counted as described at ItemOverhead (at least 64 KiB).
func NewMemoryLimit(maxBytes int64) *Memory {
	m := &Memory{items: make(map[string]*memItem), max: max(maxBytes, 64<<10), now: time.Now, every: SweepInterval,
		leases: newLeaseTable(), handoff: newHandoffTable()}
	m.slots = NewSlots(func() time.Time { return m.now() })
	return m
}

// Run drops expired keys every SweepInterval until ctx ends.
func (m *Memory) Run(ctx context.Context) {
	every(ctx, m.every, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.sweep(m.now())
	})
}

// every calls fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// Len returns the number of keys held, expired ones not yet dropped
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Bytes returns the size of what is held, as the bound counts it.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

func (m *Memory) live(key string, now time.Time) (*memItem, bool) {
	it, ok := m.items[key]
	if ok && !now.Before(it.expires) {
		m.remove(it)
		return nil, false
	}
	return it, ok
}

func (m *Memory) remove(it *memItem) {
	if it.cache {
		m.cache.Remove(it.elem)
	} else {
		m.marks.Remove(it.elem)
	}
	delete(m.items, it.key)
	m.bytes -= it.size()
}

// put stores it as the newest key of its kind, making room first. It
// reports false, storing nothing, when it is too large to keep.
func (m *Memory) put(it *memItem, now time.Time) bool {
	if old, ok := m.items[it.key]; ok {
		m.remove(old)
	}
	need := it.size()
	if need > m.max/8 {
		return false
	}
	if m.bytes+need > m.max && now.Sub(m.lastSweep) >= time.Second {
		m.sweep(now)
	}
	for m.bytes+need > m.max {
		oldest := m.cache.Front()
		if oldest == nil {
			oldest = m.marks.Front()
		}
		m.remove(oldest.Value.(*memItem))
	}
	if it.cache {
		it.elem = m.cache.PushBack(it)
	} else {
		it.elem = m.marks.PushBack(it)
	}
	m.items[it.key] = it
	m.bytes += need
	return true
}

// each calls fn with every live key and the time it has left, oldest
// first, until fn returns false.
func (m *Memory) each(fn func(key string, ttl time.Duration) bool) {
	m.mu.Lock()
	now := m.now()
	var keys []string
	var ttls []time.Duration
	for _, l := range []*list.List{&m.marks, &m.cache} {
		for e := l.Front(); e != nil; e = e.Next() {
			if it := e.Value.(*memItem); now.Before(it.expires) {
				keys, ttls = append(keys, it.key), append(ttls, it.expires.Sub(now))
			}
		}
	}
	m.mu.Unlock()
	for i, k := range keys {
		if !fn(k, ttls[i]) {
			return
		}
	}
}

// sweep drops every expired key.
func (m *Memory) sweep(now time.Time) {
	m.lastSweep = now
	for _, l := range []*list.List{&m.cache, &m.marks} {
		for e := l.Front(); e != nil; {
			next := e.Next()
			if it := e.Value.(*memItem); !now.Before(it.expires) {
				m.remove(it)
			}
			e = next
		}
	}
}

// FirstSeen implements Store.
func (m *Memory) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if _, ok := m.live(key, now); ok {
		return false, nil
	}
	m.put(&memItem{key: key, expires: now.Add(ttl)}, now)
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.live(key, m.now())
	if !ok || !it.cache {
		return nil, false, nil
	}
	return append([]byte(nil), it.value...), true, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.put(&memItem{key: key, value: append([]byte{}, value...), expires: now.Add(ttl), cache: true}, now)
	return nil
}

// Allow implements Store.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	it, ok := m.live(key, now)
	if !ok {
		it = &memItem{key: key, expires: now.Add(window)}
		m.put(it, now)
	}
	it.count++
	return it.count <= limit, nil
}
