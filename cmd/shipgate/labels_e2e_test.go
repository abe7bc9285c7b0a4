package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/barcodescan"
)

func request(t *testing.T, method, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

type labelJSON struct {
	ID             string
	Status         string
	TrackingNumber string `json:"tracking_number"`
	Parcels        []struct {
		TrackingNumber string `json:"tracking_number"`
	}
	Label *struct {
		Format string
		Data   []byte
	}
}

// TestLabelsEndToEnd is issue 3's "done when", through the HTTP API.
func TestLabelsEndToEnd(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "shipgate.db")
	base, stop := startAppDB(t, "accounts: [{id: sandbox, carrier: sandbox}]\n", db)

	// Quote, then buy the cheapest rate as PDF.
	_, quoted := post(t, base+"/v1/rates", quote)
	rateID := quoted["rates"].([]any)[0].(map[string]any)["id"].(string)
	body := fmt.Sprintf(`{"rate_id":%q,"label_format":"pdf"}`, rateID)

	res, b := request(t, "POST", base+"/v1/labels", body)
	if res.StatusCode != 400 || !strings.Contains(string(b), "Idempotency-Key") {
		t.Fatalf("without a key: %d %s", res.StatusCode, b)
	}
	res, b = request(t, "POST", base+"/v1/labels", body, "Idempotency-Key", "order-42")
	if res.StatusCode != 201 {
		t.Fatalf("buy: %d %s", res.StatusCode, b)
	}
	var l labelJSON
	if err := json.Unmarshal(b, &l); err != nil || l.Label == nil || l.Label.Format != "pdf" || !strings.HasPrefix(string(l.Label.Data), "%PDF") {
		t.Fatalf("label %s", b)
	}
	res, b = request(t, "POST", base+"/v1/labels", body, "Idempotency-Key", "order-42")
	var again labelJSON
	_ = json.Unmarshal(b, &again)
	if res.StatusCode != 201 || res.Header.Get("Idempotent-Replayed") != "true" || again.ID != l.ID {
		t.Fatalf("replay: %d %v %s", res.StatusCode, res.Header, b)
	}
	res, b = request(t, "POST", base+"/v1/labels", strings.Replace(body, `"pdf"`, `"zpl"`, 1), "Idempotency-Key", "order-42")
	if res.StatusCode != 409 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("same key, another body: %d %s", res.StatusCode, b)
	}

	// 30 concurrent requests with one key: one purchase.
	var wg sync.WaitGroup
	ids := make(chan string, 30)
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, b := request(t, "POST", base+"/v1/labels", body, "Idempotency-Key", "burst-1")
			if res.StatusCode != 201 {
				t.Errorf("%d %s", res.StatusCode, b)
				return
			}
			var x labelJSON
			_ = json.Unmarshal(b, &x)
			ids <- x.ID
		}()
	}
	wg.Wait()
	close(ids)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != 1 {
		t.Fatalf("30 requests with one key got %d labels", len(distinct))
	}
	if n := metric(t, base, "shipgate_carrier_requests_total", `operation="labels"`); n != 2 {
		t.Fatalf("carrier purchases in /metrics = %v, want 2 (order-42 and burst-1)", n)
	}
	if n := metric(t, base, "shipgate_label_purchases_total", `outcome="purchased"`); n != 2 {
		t.Fatalf("shipgate_label_purchases_total{outcome=purchased} = %v", n)
	}

	// Reprints scan as the tracking number.
	for _, f := range []string{"png", "pdf", "zpl"} {
		res, b := request(t, "GET", base+"/v1/labels/"+l.ID+"/document?format="+f+"&parcel=0", "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", f, res.StatusCode, b)
		}
		var got string
		var err error
		switch f {
		case "png":
			got, err = barcodescan.DecodePNG(b)
		case "pdf":
			got, err = barcodescan.DecodePDF(b)
		case "zpl":
			got, err = barcodescan.DecodeZPL(b)
		}
		want := map[string]string{"png": "image/png", "pdf": "application/pdf", "zpl": "application/zpl"}[f]
		if err != nil || got != l.TrackingNumber || res.Header.Get("Content-Type") != want {
			t.Fatalf("%s reprint scans as %q (%v), content type %s", f, got, err, res.Header.Get("Content-Type"))
		}
	}

	// Restart on the same database: the label is still there.
	stop()
	base, _ = startAppDB(t, "accounts: [{id: sandbox, carrier: sandbox}]\n", db)
	res, b = request(t, "GET", base+"/v1/labels/"+l.ID, "")
	var kept labelJSON
	_ = json.Unmarshal(b, &kept)
	if res.StatusCode != 200 || kept.TrackingNumber != l.TrackingNumber || kept.Label == nil {
		t.Fatalf("after restart: %d %s", res.StatusCode, b)
	}
	res, b = request(t, "GET", base+"/v1/labels?tracking_number="+l.TrackingNumber, "")
	if res.StatusCode != 200 || !strings.Contains(string(b), l.ID) {
		t.Fatalf("list by tracking number: %d %s", res.StatusCode, b)
	}

	// Void twice.
	for i := 0; i < 2; i++ {
		res, b = request(t, "POST", base+"/v1/labels/"+l.ID+"/void", "")
		if res.StatusCode != 200 || !strings.Contains(string(b), `"status":"voided"`) {
			t.Fatalf("void %d: %d %s", i+1, res.StatusCode, b)
		}
	}
	res, _ = request(t, "GET", base+"/v1/labels/nope", "")
	if res.StatusCode != 404 {
		t.Fatalf("unknown label: %d", res.StatusCode)
	}
}
