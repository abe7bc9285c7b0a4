// Package kv is shipgate's shared key-value store: Redis when a redis_url is
// configured, so that every gateway process sees the same quotes, cache
// entries, OAuth tokens and rate-limit buckets, and process memory otherwise.
// It is the only package that imports go-redis.
//
// Callers declare the small interface they need (carriers.SharedStore,
// the cache's Backend, rating's QuoteStore); *Memory and *Redis satisfy them.
package kv

import (
	"context"
	"time"
)

// Store is the full set of operations both backends implement.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	Delete(ctx context.Context, key string) error
	// TakeToken takes one token from the token bucket named key (rate per
	// second, burst size), reporting whether it was allowed and, when not,
	// how long until a token is available.
	TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error)
	Ping(ctx context.Context) error
	Close() error
}

var (
	_ Store = (*Memory)(nil)
	_ Store = (*Redis)(nil)
)
