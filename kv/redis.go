package kv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store on a Redis server. Every key is prefixed (default "shipgate:").
type Redis struct {
	c      *redis.Client
	prefix string
}

// NewRedis connects to the server at url (redis://host:port/db). It does not
// wait for the server: a Redis that is down makes calls fail until it is back,
// and go-redis reconnects by itself.
func NewRedis(url string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis_url: %w", err)
	}
	opt.DialTimeout = 500 * time.Millisecond
	opt.ReadTimeout = 500 * time.Millisecond
	opt.WriteTimeout = 500 * time.Millisecond
	opt.MaxRetries = 0 // the callers fail open; a retry only spends their budget
	opt.ContextTimeoutEnabled = true
	return &Redis{c: redis.NewClient(opt), prefix: "shipgate:"}, nil
}

// WithPrefix returns a Store on the same connection whose keys carry another
// prefix (tests use one per test).
func (r *Redis) WithPrefix(p string) *Redis { return &Redis{c: r.c, prefix: p} }

// Get returns the value of key; ok is false when it is absent.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set stores value under key for ttl (0: no expiry).
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.c.Set(ctx, r.prefix+key, value, ttl).Err()
}

// SetNX stores value only when key is absent.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return r.c.SetNX(ctx, r.prefix+key, value, ttl).Result()
}

// Delete removes key.
func (r *Redis) Delete(ctx context.Context, key string) error {
	return r.c.Del(ctx, r.prefix+key).Err()
}

// tokenBucket refills and takes from a bucket kept as a hash {tokens, last(µs)}.
var tokenBucket = redis.NewScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(b[1])
local last = tonumber(b[2])
if tokens == nil then tokens = burst; last = now end
local el = (now - last) / 1e6
if el > 0 then
  tokens = math.min(burst, tokens + el * rate)
  last = now
end
local ok = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
elseif rate > 0 then
  wait = math.ceil((1 - tokens) / rate * 1e6)
else
  wait = 3600e6
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(last))
local ttl = 60
if rate > 0 then ttl = math.ceil(burst / rate) + 60 end
redis.call('EXPIRE', KEYS[1], ttl)
return {ok, wait}
`)

// TakeToken implements a token bucket shared by every process using this Redis.
func (r *Redis) TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error) {
	res, err := tokenBucket.Run(ctx, r.c, []string{r.prefix + key},
		strconv.FormatFloat(rate, 'f', -1, 64), burst, now.UnixMicro()).Int64Slice()
	if err != nil {
		return false, 0, err
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("token bucket: unexpected answer %v", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Close closes the connection pool.
func (r *Redis) Close() error { return r.c.Close() }
