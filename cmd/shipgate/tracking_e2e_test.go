package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTrackingEndToEnd is issue 4's "done when": with a high time_scale and
// a 1s poll interval, a tracker on a freshly bought sandbox label delivers
// signed tracker.updated events through to delivered to a receiver that
// refuses deliveries for its first seconds; batch tracking answers per item.
func TestTrackingEndToEnd(t *testing.T) {
	type received struct {
		status string
		id     string
	}
	var mu sync.Mutex
	var got []received
	seen := map[string]int{}
	var secret string
	refuse := 3 // the receiver is down for its first deliveries
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if refuse > 0 {
			refuse--
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		ts, sig, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Shipgate-Signature"), "t="), ",v1=")
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "." + string(body)))
		if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(m.Sum(nil)))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev struct {
			ID, Type string
			Data     struct{ Status string }
		}
		_ = json.Unmarshal(body, &ev)
		seen[ev.ID]++
		got = append(got, received{ev.Data.Status, ev.ID})
	}))
	defer rcv.Close()

	base := startApp(t, `
tracking: { poll_interval: 1s }
webhooks: { allow_private_destinations: true, retry_base: 500ms }
accounts: [{ id: sandbox, carrier: sandbox, options: { time_scale: 36000 } }]
`)
	res, b := request(t, "POST", base+"/v1/webhooks", fmt.Sprintf(`{"url":%q,"events":["tracker.updated"]}`, rcv.URL))
	if res.StatusCode != 201 {
		t.Fatalf("webhook: %d %s", res.StatusCode, b)
	}
	var wh struct{ ID, Secret string }
	_ = json.Unmarshal(b, &wh)
	mu.Lock()
	secret = wh.Secret
	mu.Unlock()

	sh := namedQuote[len(`{"shipment":`) : len(namedQuote)-1]
	res, b = request(t, "POST", base+"/v1/labels", `{"shipment":`+sh+`,"account":"sandbox","service":"sandbox_ground"}`, "Idempotency-Key", "track-me")
	if res.StatusCode != 201 {
		t.Fatalf("label: %d %s", res.StatusCode, b)
	}
	var l labelJSON
	_ = json.Unmarshal(b, &l)
	res, b = request(t, "POST", base+"/v1/trackers", fmt.Sprintf(`{"carrier":"sandbox","tracking_number":%q}`, l.TrackingNumber))
	if res.StatusCode != 201 || !strings.Contains(string(b), `"status":"pre_transit"`) {
		t.Fatalf("tracker: %d %s", res.StatusCode, b)
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		// Done when the parcel's delivered event arrived and no delivery is
		// left pending (the refused ones were retried).
		mu.Lock()
		last := false
		for _, r := range got {
			last = last || r.status == "delivered"
		}
		mu.Unlock()
		done := false
		if last {
			_, dl := request(t, "GET", base+"/v1/webhooks/"+wh.ID+"/deliveries", "")
			done = !strings.Contains(string(dl), `"status":"pending"`)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			_, dl := request(t, "GET", base+"/v1/webhooks/"+wh.ID+"/deliveries", "")
			t.Logf("deliveries: %s", dl)
			mu.Lock()
			t.Fatalf("the first and last events did not both arrive within a minute; received %+v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	statuses := map[string]bool{}
	for _, r := range got {
		statuses[r.status] = true
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s received %d times", id, n)
		}
	}
	mu.Unlock()
	// The first status depends on how fast the label was bought and tracked
	// (a simulated hour is a tenth of a second here); the last is delivered.
	if !statuses["delivered"] || len(got) < 3 {
		t.Errorf("received %v: want several tracker.updated events ending with delivered", got)
	}
	res, b = request(t, "GET", base+"/v1/webhooks/"+wh.ID+"/deliveries", "")
	if res.StatusCode != 200 || !strings.Contains(string(b), `"status_code":503`) || strings.Contains(string(b), `"status":"failed"`) {
		t.Errorf("deliveries should show the refused attempts, then success: %d %s", res.StatusCode, b)
	}

	// Batch: one answer per item, in order.
	res, b = request(t, "POST", base+"/v1/tracking", fmt.Sprintf(`{"items":[
		{"carrier":"sandbox","tracking_number":%q},
		{"carrier":"fedex","tracking_number":"123"},
		{"carrier":"sandbox","tracking_number":"SGONHOLD"},
		{"carrier":"sandbox","tracking_number":"NOPE"}]}`, l.TrackingNumber))
	var batch struct{ Results []map[string]any }
	_ = json.Unmarshal(b, &batch)
	if res.StatusCode != 200 || len(batch.Results) != 4 {
		t.Fatalf("batch: %d %s", res.StatusCode, b)
	}
	if batch.Results[0]["status"] != "delivered" || batch.Results[2]["status"] != "on_hold" {
		t.Errorf("batch statuses: %s", b)
	}
	for _, i := range []int{1, 3} {
		e, _ := batch.Results[i]["error"].(map[string]any)
		if e == nil || e["code"] != "not_found" {
			t.Errorf("item %d: %v", i, batch.Results[i])
		}
	}
	res, b = request(t, "GET", base+"/v1/tracking/sandbox/"+l.TrackingNumber, "")
	if res.StatusCode != 200 || !strings.Contains(string(b), `"carrier_code":"DL"`) {
		t.Errorf("GET tracking: %d %s", res.StatusCode, b)
	}
}
