package store

import (
	"context"
	"sync"
	"time"
)

// maxMemoryKeys bounds the memory store; when it is full, expired keys are
// swept and, if that is not enough, the oldest-expiring half is dropped.
const maxMemoryKeys = 100_000

type memItem struct {
	value   []byte
	count   int
	expires time.Time
}

// Memory is an in-process Store. The zero value is not usable; use NewMemory.
type Memory struct {
	mu    sync.Mutex
	items map[string]memItem
	now   func() time.Time

	// slots and leases are the adapters' pacing and polling leases
	// (pace.go, lease.go), kept apart from the bounded keys above.
	slots  *Slots
	leases *leaseTable
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	m := &Memory{items: make(map[string]memItem), now: time.Now, leases: newLeaseTable()}
	m.slots = NewSlots(func() time.Time { return m.now() })
	return m
}

func (m *Memory) live(key string, now time.Time) (memItem, bool) {
	it, ok := m.items[key]
	if ok && !now.Before(it.expires) {
		delete(m.items, key)
		return memItem{}, false
	}
	return it, ok
}

func (m *Memory) put(key string, it memItem, now time.Time) {
	if _, ok := m.items[key]; !ok && len(m.items) >= maxMemoryKeys {
		m.sweep(now)
	}
	m.items[key] = it
}

// sweep drops expired keys, then, if still full, every key that expires
// before the median expiry.
func (m *Memory) sweep(now time.Time) {
	for k, it := range m.items {
		if !now.Before(it.expires) {
			delete(m.items, k)
		}
	}
	if len(m.items) < maxMemoryKeys {
		return
	}
	var sum time.Duration
	for _, it := range m.items {
		sum += it.expires.Sub(now) / time.Duration(len(m.items))
	}
	cut := now.Add(sum)
	for k, it := range m.items {
		if it.expires.Before(cut) {
			delete(m.items, k)
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
	m.put(key, memItem{expires: now.Add(ttl)}, now)
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.live(key, m.now())
	if !ok || it.value == nil {
		return nil, false, nil
	}
	return append([]byte(nil), it.value...), true, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.put(key, memItem{value: append([]byte{}, value...), expires: now.Add(ttl)}, now)
	return nil
}

// Allow implements Store.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	it, ok := m.live(key, now)
	if !ok {
		it = memItem{expires: now.Add(window)}
	}
	it.count++
	m.put(key, it, now)
	return it.count <= limit, nil
}
