package kv

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

const shards = 32

// Memory is an in-process Store: a sharded map with expiry, bounded in size.
type Memory struct {
	seed   maphash.Seed
	shards [shards]memShard
	max    int // entries per shard
	now    func() time.Time
}

type memShard struct {
	mu      sync.Mutex
	m       map[string]memEntry
	buckets map[string]*bucket
}

type memEntry struct {
	v   any       // []byte from Set, any value from SetObject
	exp time.Time // zero: never
}

type bucket struct {
	tokens float64
	last   time.Time
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithMaxEntries bounds the number of keys (default 200000); when full, expired
// entries are dropped first, then arbitrary ones.
func WithMaxEntries(n int) MemoryOption {
	return func(m *Memory) { m.max = max(1, n/shards) }
}

// WithClock sets the clock used for expiry (tests).
func WithClock(now func() time.Time) MemoryOption { return func(m *Memory) { m.now = now } }

// NewMemory returns an empty in-process store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), max: 200000 / shards, now: time.Now}
	for _, o := range opts {
		o(m)
	}
	for i := range m.shards {
		m.shards[i].m = map[string]memEntry{}
		m.shards[i].buckets = map[string]*bucket{}
	}
	return m
}

func (m *Memory) shard(key string) *memShard {
	return &m.shards[maphash.String(m.seed, key)%shards]
}

// Get returns the value of key; ok is false when it is absent or expired.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	v, ok := m.GetObject(key)
	b, isBytes := v.([]byte)
	if !ok || !isBytes {
		return nil, false, nil
	}
	return b, true, nil
}

// GetObject returns the value stored under key by SetObject (or Set), without
// any decoding: the in-process cache keeps Go values, not bytes.
func (m *Memory) GetObject(key string) (any, bool) {
	s := m.shard(key)
	s.mu.Lock()
	e, ok := s.m[key]
	if ok && !e.exp.IsZero() && !m.now().Before(e.exp) {
		delete(s.m, key)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	return e.v, true
}

// Set stores value under key for ttl (0: no expiry). The value is not copied:
// callers must not change it afterwards.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.SetObject(key, value, ttl)
	return nil
}

// SetObject stores a Go value under key for ttl (0: no expiry). The value is
// shared with every later GetObject: it must not be changed afterwards.
func (m *Memory) SetObject(key string, value any, ttl time.Duration) {
	s := m.shard(key)
	s.mu.Lock()
	m.put(s, key, value, ttl)
	s.mu.Unlock()
}

func (m *Memory) put(s *memShard, key string, value any, ttl time.Duration) {
	if _, exists := s.m[key]; !exists && len(s.m) >= m.max {
		m.evict(s)
	}
	e := memEntry{v: value}
	if ttl > 0 {
		e.exp = m.now().Add(ttl)
	}
	s.m[key] = e
}

// evict drops expired entries, and if none were, a few arbitrary ones.
func (m *Memory) evict(s *memShard) {
	now := m.now()
	n := 0
	for k, e := range s.m {
		if !e.exp.IsZero() && !now.Before(e.exp) {
			delete(s.m, k)
			n++
		}
	}
	for k := range s.m {
		if n > 0 && len(s.m) < m.max {
			break
		}
		delete(s.m, k)
		n++
	}
}

// SetNX stores value only when key is absent (or expired).
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok && (e.exp.IsZero() || m.now().Before(e.exp)) {
		return false, nil
	}
	m.put(s, key, value, ttl)
	return true, nil
}

// Delete removes key.
func (m *Memory) Delete(_ context.Context, key string) error {
	s := m.shard(key)
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

// TakeToken implements a token bucket in memory.
func (m *Memory) TakeToken(_ context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error) {
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(burst), last: now}
		s.buckets[key] = b
	}
	return takeToken(&b.tokens, &b.last, rate, burst, now)
}

// takeToken refills the bucket for the time since last and takes one token.
func takeToken(tokens *float64, last *time.Time, rate float64, burst int, now time.Time) (bool, time.Duration, error) {
	if el := now.Sub(*last).Seconds(); el > 0 {
		*tokens = math.Min(float64(burst), *tokens+el*rate)
		*last = now
	}
	if *tokens >= 1 {
		*tokens--
		return true, 0, nil
	}
	if rate <= 0 {
		return false, time.Hour, nil
	}
	wait := time.Duration((1 - *tokens) / rate * float64(time.Second))
	return false, wait, nil
}

// Ping always succeeds.
func (m *Memory) Ping(context.Context) error { return nil }

// Close does nothing.
func (m *Memory) Close() error { return nil }

// Len returns the number of keys held, expired ones included (tests, metrics).
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		m.shards[i].mu.Lock()
		n += len(m.shards[i].m)
		m.shards[i].mu.Unlock()
	}
	return n
}
