package api_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/labels"
	"github.com/shipgate/shipgate/rating"
	"github.com/shipgate/shipgate/store/storetest"
	"github.com/shipgate/shipgate/tracking"
	"github.com/shipgate/shipgate/webhooks"
)

// fullServer serves every route over a sandbox account and a SQLite store.
func fullServer(t testing.TB) *api.Server {
	t.Helper()
	db, _ := storetest.SQLite(t)
	cfg := carriers.AccountConfig{ID: "sandbox", Carrier: "sandbox"}
	sb, err := sandbox.New(cfg, carriers.Env{})
	if err != nil {
		t.Fatal(err)
	}
	reg := carriers.NewRegistry()
	_ = reg.Register(carriers.NewEntry(cfg, sb))
	rates := rating.New(reg, kv.NewMemory(), nil, rating.Config{Deadline: time.Second}, nil)
	ls := labels.New(db, rates, reg, labels.Config{Wait: 100 * time.Millisecond}, nil, nil)
	t.Cleanup(ls.Close)
	return api.New(api.Config{}, api.Deps{
		Rates: rates, Accounts: reg, Labels: ls,
		Tracking: tracking.New(reg, db, tracking.Config{}, nil, nil),
		Webhooks: webhooks.New(db, webhooks.Config{}, nil),
	})
}

// FuzzBodies sends arbitrary bodies to every route that reads one: the
// answer is never a 5xx (but a carrier's 502/504) and an error is always
// problem+json.
func FuzzBodies(f *testing.F) {
	s := fullServer(f)
	routes := []string{"/v1/rates", "/v1/labels", "/v1/tracking", "/v1/trackers", "/v1/webhooks", "/v1/labels/lbl_x/resolve"}
	for i, seed := range []string{
		quoteBody,
		`{"rate_id":"rate_x","label_format":"zpl"}`,
		`{"items":[{"carrier":"sandbox","tracking_number":"SGONHOLD"},{"carrier":"x","tracking_number":""}]}`,
		`{"carrier":"sandbox","tracking_number":"SGDELAYED"}`,
		`{"url":"http://127.0.0.1/x","events":["tracker.updated"]}`,
		`{"outcome":"check"}`,
		`{"shipment":{"parcels":[{"weight":{"value":1e308,"unit":"lb"}}]},"account":"sandbox","service":"sandbox_ground"}`,
		`{"items":[]}`, `null`, `{"url":"","events":null}`,
	} {
		f.Add(uint8(i%len(routes)), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		path := routes[int(route)%len(routes)]
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "fuzz")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 502 && rec.Code != 504 {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("POST %s %q: error %d without problem+json", path, body, rec.Code)
		}
	})
}
