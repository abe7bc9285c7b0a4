package carrierhttp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Token is an OAuth access token and when it expires.
type Token struct {
	Value     string    `json:"v"`
	ExpiresAt time.Time `json:"e"`
	// IssuedAt is when the token was obtained (set by TokenSource when
	// Fetch leaves it zero); with ExpiresAt it gives the lifetime that bounds
	// the refresh margin.
	IssuedAt time.Time `json:"i,omitzero"`
}

// TokenSource hands out an OAuth access token: fetched once, kept in process
// memory and, when a shared store is configured, in that store so that every
// gateway process uses the same token; refreshed by one caller at a time
// shortly before it expires; never fetched per call.
type TokenSource struct {
	// Fetch asks the carrier for a new token.
	Fetch func(ctx context.Context) (Token, error)
	// Shared, when not nil, holds the token for every process (Redis).
	Shared carriers.SharedStore
	// Key names the token in the shared store; see TokenKey.
	Key string
	// Margin: a token is refreshed this long before it expires (default 60s,
	// at most a tenth of its lifetime).
	Margin time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// FetchTimeout bounds one token request (default 15s).
	FetchTimeout time.Duration

	mu  sync.Mutex
	cur Token
	sf  singleflight.Group
}

// TokenKey returns a shared-store key for the token of one set of credentials
// at one base URL, without revealing the credentials.
func TokenKey(carrier, baseURL, clientID string) string {
	h := sha256.Sum256([]byte(baseURL + "\x00" + clientID))
	return "oauth:" + carrier + ":" + hex.EncodeToString(h[:12])
}

func (s *TokenSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *TokenSource) fresh(t Token) bool {
	if t.Value == "" {
		return false
	}
	margin := s.Margin
	if margin <= 0 {
		margin = 60 * time.Second
	}
	// A short-lived token (a simulator's, a test's) is refreshed a tenth of
	// its lifetime early at most, or it would be fetched on every call.
	if !t.IssuedAt.IsZero() {
		if life := t.ExpiresAt.Sub(t.IssuedAt); life > 0 && margin > life/10 {
			margin = life / 10
		}
	}
	return s.now().Add(margin).Before(t.ExpiresAt)
}

// Token returns a valid access token, fetching one only when none is fresh.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	if s.fresh(cur) {
		return cur.Value, nil
	}
	ch := s.sf.DoChan("token", func() (any, error) {
		// The fetch is shared by every waiter: it must not die with the first caller's context.
		timeout := s.FetchTimeout
		if timeout <= 0 {
			timeout = 15 * time.Second
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		return s.refresh(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(Token).Value, nil
	case <-ctx.Done():
		return "", &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "no access token in time", Err: ctx.Err()}
	}
}

func (s *TokenSource) refresh(ctx context.Context) (Token, error) {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	if s.fresh(cur) {
		return cur, nil
	}
	if t, ok := s.shared(ctx); ok {
		s.set(t)
		return t, nil
	}
	if s.Shared != nil {
		// One process fetches; the others wait briefly for its token.
		won, err := s.Shared.SetNX(ctx, s.Key+":lock", []byte("1"), 10*time.Second)
		if err == nil && !won {
			for i := 0; i < 20; i++ {
				select {
				case <-ctx.Done():
					return Token{}, ctx.Err()
				case <-time.After(100 * time.Millisecond):
				}
				if t, ok := s.shared(ctx); ok {
					s.set(t)
					return t, nil
				}
			}
		}
		if won {
			defer func() { _ = s.Shared.Delete(context.WithoutCancel(ctx), s.Key+":lock") }()
		}
	}
	issued := s.now()
	t, err := s.Fetch(ctx)
	if err != nil {
		return Token{}, err
	}
	if t.IssuedAt.IsZero() {
		t.IssuedAt = issued
	}
	s.set(t)
	if s.Shared != nil {
		if b, err := json.Marshal(t); err == nil {
			if ttl := t.ExpiresAt.Sub(s.now()); ttl > 0 {
				_ = s.Shared.Set(ctx, s.Key, b, ttl)
			}
		}
	}
	return t, nil
}

func (s *TokenSource) shared(ctx context.Context) (Token, bool) {
	if s.Shared == nil {
		return Token{}, false
	}
	b, ok, err := s.Shared.Get(ctx, s.Key)
	if err != nil || !ok {
		return Token{}, false
	}
	var t Token
	if json.Unmarshal(b, &t) != nil || !s.fresh(t) {
		return Token{}, false
	}
	return t, true
}

func (s *TokenSource) set(t Token) {
	s.mu.Lock()
	s.cur = t
	s.mu.Unlock()
}

// Invalidate forgets token (the carrier refused it with a 401), here and in
// the shared store, so that the next Token call fetches a new one.
func (s *TokenSource) Invalidate(ctx context.Context, token string) {
	s.mu.Lock()
	if s.cur.Value == token {
		s.cur = Token{}
	}
	s.mu.Unlock()
	if s.Shared != nil {
		if t, ok := s.shared(ctx); ok && t.Value == token {
			_ = s.Shared.Delete(ctx, s.Key)
		}
	}
}
