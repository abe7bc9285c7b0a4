package api

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/rating"
)

func sampleRate() shipgate.Rate {
	return shipgate.Rate{
		ID: "rate_abc", Carrier: "ups", Account: "ups-main", Service: "ups_ground", ServiceName: "UPS Ground", CarrierServiceCode: "03",
		Total:          shipgate.NewMoney(2634, "USD"),
		Charges:        []shipgate.Charge{{Type: "transportation", Name: "Transportation", Amount: shipgate.NewMoney(1910, "USD")}, {Type: "fuel", Amount: shipgate.NewMoney(724, "USD")}},
		BillableWeight: &shipgate.Weight{Value: 4, Unit: shipgate.Pound},
		TransitDays:    4, EstimatedDelivery: "2026-11-30", Guaranteed: true,
		QuotedAt:  time.Date(2026, 11, 24, 13, 32, 19, 924287263, time.UTC),
		ExpiresAt: time.Date(2026, 11, 25, 13, 32, 19, 0, time.FixedZone("x", 3600)),
		Cached:    true,
	}
}

func checkSame(t *testing.T, r *ratesResponse) {
	t.Helper()
	want, werr := json.Marshal(r)
	got, gerr := appendRatesResponse(nil, r)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("errors differ: encoding/json %v, fast %v", werr, gerr)
	}
	if werr == nil && !bytes.Equal(want, got) {
		t.Fatalf("fast encoding differs:\n got %s\nwant %s", got, want)
	}
}

func TestFastRatesJSON(t *testing.T) {
	full := sampleRate()
	bare := shipgate.Rate{Total: shipgate.NewMoney(-5, "JPY")}
	odd := sampleRate()
	odd.ServiceName = "<b>\"Ground\" & \\ \u2028\u2029 \x00\x1f é \xff</b>"
	odd.BillableWeight = &shipgate.Weight{Value: 1e-7, Unit: "kg"}
	big := sampleRate()
	big.BillableWeight.Value = 1e21
	frac := sampleRate()
	frac.BillableWeight.Value = 2.2046226218487757
	for name, r := range map[string]*ratesResponse{
		"full":        {Rates: []shipgate.Rate{full, bare}, Errors: []rating.AccountError{}, RequestID: "req-1"},
		"nil slices":  {RequestID: ""},
		"odd strings": {Rates: []shipgate.Rate{odd}, Errors: []rating.AccountError{}},
		"big float":   {Rates: []shipgate.Rate{big, frac}, Errors: []rating.AccountError{}},
		"with errors": {Rates: []shipgate.Rate{}, Errors: []rating.AccountError{{Account: "a", Carrier: "c", ErrorBody: shipgate.ErrorBody{Code: "carrier_timeout", Message: "late", Retryable: true}}}},
	} {
		t.Run(name, func(t *testing.T) { checkSame(t, r) })
	}
	nan := sampleRate()
	nan.BillableWeight.Value = math.NaN()
	checkSame(t, &ratesResponse{Rates: []shipgate.Rate{nan}})
}

func FuzzFastRatesJSON(f *testing.F) {
	f.Add("rate_1", "UPS <Ground>", "2026-11-30", int64(1234), "USD", 2.5, 3, int64(1764000000), true)
	f.Add("\xff\x00", "\u2028", "", int64(-1), "JPY", 1e-9, 0, int64(0), false)
	f.Fuzz(func(t *testing.T, id, name, eta string, amount int64, cur string, w float64, days int, unix int64, cached bool) {
		r := sampleRate()
		r.ID, r.ServiceName, r.EstimatedDelivery, r.TransitDays, r.Cached = id, name, eta, days, cached
		r.Total = shipgate.NewMoney(amount, cur)
		r.BillableWeight.Value = w
		r.QuotedAt = time.Unix(unix, 0).UTC()
		checkSame(t, &ratesResponse{Rates: []shipgate.Rate{r}, Errors: []rating.AccountError{}, RequestID: id})
	})
}
