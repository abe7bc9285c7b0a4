package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type labelJSON struct {
	ID             string
	Status         string
	TrackingNumber string `json:"tracking_number"`
	Label          *struct{ Format string }
}

func mustLabel(t *testing.T, code int, want int, body []byte) labelJSON {
	t.Helper()
	if code != want {
		t.Fatalf("status %d, want %d: %s", code, want, body)
	}
	var l labelJSON
	if err := json.Unmarshal(body, &l); err != nil || l.ID == "" {
		t.Fatalf("%v %s", err, body)
	}
	return l
}

// TestLabelsAPI buys, replays, lists, reprints, voids and resolves labels
// through the API with scoped keys; every answer is validated against
// api/openapi.yaml by do.
func TestLabelsAPI(t *testing.T) {
	s := newFullServer(t, testKeys())
	wms := bearer(labelsKey)

	rec := do(t, s, "POST", "/v1/rates", `{"carriers":["sandbox"],`+quoteBody[1:], bearer(ratesKey)...)
	if rec.Code != 200 {
		t.Fatalf("quote: %d %s", rec.Code, rec.Body)
	}
	var quoted struct{ Rates []struct{ ID string } }
	_ = json.Unmarshal(rec.Body.Bytes(), &quoted)
	body := fmt.Sprintf(`{"rate_id":%q,"label_format":"zpl","reference":"order-7"}`, quoted.Rates[0].ID)

	// Buying needs the labels scope; the rates key may only quote.
	mustProblem(t, do(t, s, "POST", "/v1/labels", body, append(bearer(ratesKey), "Idempotency-Key", "k1")...), http.StatusForbidden)
	p := mustProblem(t, do(t, s, "POST", "/v1/labels", body, wms...), http.StatusBadRequest)
	if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
		t.Fatalf("without an idempotency key: %+v", p)
	}

	rec = do(t, s, "POST", "/v1/labels", body, append(wms, "Idempotency-Key", "k1")...)
	l := mustLabel(t, rec.Code, 201, rec.Body.Bytes())
	if l.Status != "purchased" || l.Label == nil || l.Label.Format != "zpl" || rec.Header().Get("Location") != "/v1/labels/"+l.ID {
		t.Fatalf("bought %s %v", rec.Body, rec.Header())
	}
	rec = do(t, s, "POST", "/v1/labels", body, append(wms, "Idempotency-Key", "k1")...)
	if again := mustLabel(t, rec.Code, 201, rec.Body.Bytes()); again.ID != l.ID || rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %s %v", rec.Body, rec.Header())
	}
	mustProblem(t, do(t, s, "POST", "/v1/labels", strings.Replace(body, "order-7", "order-8", 1), append(wms, "Idempotency-Key", "k1")...), http.StatusConflict)
	// The same idempotency key under another API key is another purchase.
	rec = do(t, s, "POST", "/v1/labels", body, append(bearer(adminKey), "Idempotency-Key", "k1")...)
	if other := mustLabel(t, rec.Code, 201, rec.Body.Bytes()); other.ID == l.ID {
		t.Fatal("idempotency keys are not scoped by API key")
	}

	rec = do(t, s, "GET", "/v1/labels/"+l.ID, "", wms...)
	mustLabel(t, rec.Code, 200, rec.Body.Bytes())
	mustProblem(t, do(t, s, "GET", "/v1/labels/lbl_nope", "", wms...), http.StatusNotFound)
	rec = do(t, s, "GET", "/v1/labels?reference=order-7&limit=10", "", wms...)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), l.ID) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	mustProblem(t, do(t, s, "GET", "/v1/labels?status=lost", "", wms...), http.StatusBadRequest)
	for _, f := range []string{"pdf", "zpl", "png"} {
		rec := do(t, s, "GET", "/v1/labels/"+l.ID+"/document?format="+f+"&parcel=0", "", wms...)
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Fatalf("%s reprint: %d %s", f, rec.Code, rec.Body)
		}
	}
	mustProblem(t, do(t, s, "GET", "/v1/labels/"+l.ID+"/document?format=gif", "", wms...), http.StatusBadRequest)

	for i := 0; i < 2; i++ {
		rec = do(t, s, "POST", "/v1/labels/"+l.ID+"/void", "", wms...)
		if v := mustLabel(t, rec.Code, 200, rec.Body.Bytes()); v.Status != "voided" {
			t.Fatalf("void: %s", rec.Body)
		}
	}

	// A purchase the carrier never answers is in doubt: a 504, then only an
	// admin can resolve it.
	sh := quoteBody[len(`{"shipment":`) : len(quoteBody)-1]
	stuckBody := `{"shipment":` + sh + `,"account":"stuck","service":"sandbox_ground"}`
	rec = do(t, s, "POST", "/v1/labels", stuckBody, append(wms, "Idempotency-Key", "stuck-1")...)
	if rec.Code != http.StatusGatewayTimeout {
		t.Fatalf("stuck purchase: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, s, "GET", "/v1/labels?status=in_doubt", "", wms...)
	var list struct{ Labels []labelJSON }
	_ = json.Unmarshal(rec.Body.Bytes(), &list)
	if len(list.Labels) != 1 {
		t.Fatalf("in doubt: %s", rec.Body)
	}
	doubt := list.Labels[0].ID
	mustProblem(t, do(t, s, "POST", "/v1/labels/"+doubt+"/resolve", `{"outcome":"not_purchased"}`, wms...), http.StatusForbidden)
	mustProblem(t, do(t, s, "POST", "/v1/labels/"+doubt+"/resolve", `{"outcome":"maybe"}`, bearer(adminKey)...), http.StatusBadRequest)
	rec = do(t, s, "POST", "/v1/labels/"+doubt+"/resolve", `{"outcome":"not_purchased"}`, bearer(adminKey)...)
	if r := mustLabel(t, rec.Code, 200, rec.Body.Bytes()); r.Status != "failed" {
		t.Fatalf("resolved: %s", rec.Body)
	}
	mustProblem(t, do(t, s, "POST", "/v1/labels/"+doubt+"/resolve", `{"outcome":"check"}`, bearer(adminKey)...), http.StatusConflict)
}

// TestOperationsRoutesAnswer exercises the public routes.
func TestOperationsRoutesAnswer(t *testing.T) {
	s := newFullServer(t, testKeys())
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
		if rec := do(t, s, "GET", path, ""); rec.Code != 200 {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}
