package carrierhttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
)

func TestRefusedCredentialsAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(status)
		}))
		u, _ := url.Parse(srv.URL)
		c := &Client{Carrier: "X", Name: "x", BaseURL: u, HTTP: srv.Client(), RetryBase: time.Millisecond}
		_, err := c.Do(context.Background(), &Request{Op: "rates", Method: http.MethodGet, Path: "/", Idempotent: true}, nil)
		srv.Close()
		if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
			t.Fatalf("%d: %v", status, err)
		}
		want := int32(3) // a 503 is retried twice
		if status != http.StatusServiceUnavailable {
			want = 1
		}
		if calls.Load() != want {
			t.Errorf("status %d: %d calls, want %d", status, calls.Load(), want)
		}
	}
}
