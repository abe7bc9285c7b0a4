package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/webhooks"
)

// TestTrackingAPI tracks, batches and keeps trackers through the API with
// scoped keys; do validates every answer against api/openapi.yaml.
func TestTrackingAPI(t *testing.T) {
	s := newFullServer(t, testKeys())
	poller := bearer(trackingKey)

	mustProblem(t, do(t, s, "GET", "/v1/tracking/sandbox/SGONHOLD", "", bearer(labelsKey)...), http.StatusForbidden)
	rec := do(t, s, "GET", "/v1/tracking/sandbox/SGONHOLD", "", poller...)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"on_hold"`) {
		t.Fatalf("track: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "GET", "/v1/tracking/sandbox/NOSUCHNUMBER", "", poller...), http.StatusNotFound)
	mustProblem(t, do(t, s, "GET", "/v1/tracking/nocarrier/SGONHOLD", "", poller...), http.StatusNotFound)

	rec = do(t, s, "POST", "/v1/tracking", `{"items":[{"carrier":"sandbox","tracking_number":"SGDELAYED"},{"carrier":"sandbox","tracking_number":"NOPE"}]}`, poller...)
	var batch struct {
		Results []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &batch); rec.Code != 200 || err != nil || len(batch.Results) != 2 ||
		batch.Results[0]["status"] != "delayed" || batch.Results[1]["error"] == nil {
		t.Fatalf("batch: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "POST", "/v1/tracking", `{"items":[]}`, poller...), http.StatusBadRequest)

	rec = do(t, s, "POST", "/v1/trackers", `{"carrier":"sandbox","tracking_number":"SGRETURNTOSENDER"}`, poller...)
	var tr struct{ ID, Status string }
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); rec.Code != 201 || err != nil || tr.ID == "" || rec.Header().Get("Location") != "/v1/trackers/"+tr.ID {
		t.Fatalf("create tracker: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, "POST", "/v1/trackers", `{"carrier":"sandbox","tracking_number":"SGRETURNTOSENDER"}`, poller...); rec.Code != 200 || !strings.Contains(rec.Body.String(), tr.ID) {
		t.Fatalf("same tracker again: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, "GET", "/v1/trackers/"+tr.ID, "", poller...); rec.Code != 200 {
		t.Fatalf("get tracker: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, "GET", "/v1/trackers?limit=10", "", poller...); rec.Code != 200 || !strings.Contains(rec.Body.String(), tr.ID) {
		t.Fatalf("list trackers: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "GET", "/v1/trackers?limit=0", "", poller...), http.StatusBadRequest)
	if rec := do(t, s, "DELETE", "/v1/trackers/"+tr.ID, "", poller...); rec.Code != 204 {
		t.Fatalf("delete tracker: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "GET", "/v1/trackers/"+tr.ID, "", poller...), http.StatusNotFound)
	mustProblem(t, do(t, s, "DELETE", "/v1/trackers/"+tr.ID, "", poller...), http.StatusNotFound)
}

// TestWebhooksAPI registers a webhook (admin only), buys a label, delivers
// the event and reads the delivery through the API.
func TestWebhooksAPI(t *testing.T) {
	var received atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Shipgate-Signature") != "" {
			received.Add(1)
		}
	}))
	defer receiver.Close()
	var hooks *webhooks.Service
	s := newFullServer(t, testKeys(), func(_ *api.Config, d *api.Deps) { hooks = d.Webhooks.(*webhooks.Service) })
	admin := bearer(adminKey)

	body := fmt.Sprintf(`{"url":%q,"events":["label.purchased","tracker.updated"]}`, receiver.URL)
	mustProblem(t, do(t, s, "POST", "/v1/webhooks", body, bearer(labelsKey)...), http.StatusForbidden)
	mustProblem(t, do(t, s, "POST", "/v1/webhooks", `{"url":"ftp://x","events":["label.purchased"]}`, admin...), http.StatusBadRequest)
	rec := do(t, s, "POST", "/v1/webhooks", body, admin...)
	var wh struct{ ID, Secret string }
	if err := json.Unmarshal(rec.Body.Bytes(), &wh); rec.Code != 201 || err != nil || !strings.HasPrefix(wh.Secret, "whsec_") {
		t.Fatalf("create webhook: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/v1/webhooks/" + wh.ID, "/v1/webhooks"} {
		rec := do(t, s, "GET", path, "", admin...)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), wh.ID) || strings.Contains(rec.Body.String(), wh.Secret) {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}

	sh := quoteBody[len(`{"shipment":`) : len(quoteBody)-1]
	buy := `{"shipment":` + sh + `,"account":"sandbox","service":"sandbox_ground"}`
	if rec := do(t, s, "POST", "/v1/labels", buy, append(bearer(labelsKey), "Idempotency-Key", "hook-1")...); rec.Code != 201 {
		t.Fatalf("buy: %d %s", rec.Code, rec.Body)
	}
	if n, err := hooks.DeliverOnce(context.Background()); err != nil || n != 1 || received.Load() != 1 {
		t.Fatalf("delivered %d (%v), received %d", n, err, received.Load())
	}
	rec = do(t, s, "GET", "/v1/webhooks/"+wh.ID+"/deliveries?limit=5", "", admin...)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"delivered"`) || !strings.Contains(rec.Body.String(), `"attempt_history"`) {
		t.Fatalf("deliveries: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, "DELETE", "/v1/webhooks/"+wh.ID, "", admin...); rec.Code != 204 {
		t.Fatalf("delete webhook: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "GET", "/v1/webhooks/"+wh.ID, "", admin...), http.StatusNotFound)
}
