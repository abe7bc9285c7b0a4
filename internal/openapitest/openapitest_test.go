package openapitest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/openapitest"
)

func TestCarrierSpecRejectsBadRequest(t *testing.T) {
	s := openapitest.LoadCarrierSpec(t, "ups/Rating.yaml")
	good := `{"RateRequest":{"Request":{"RequestOption":"Shop","TransactionReference":{"CustomerContext":"x"}},"Shipment":{"Shipper":{"Name":"A","ShipperNumber":"123456","Address":{"AddressLine":["1 Main"],"City":"Atlanta","StateProvinceCode":"GA","PostalCode":"30309","CountryCode":"US"}},"ShipTo":{"Name":"B","Address":{"AddressLine":["2 Main"],"City":"SF","StateProvinceCode":"CA","PostalCode":"94105","CountryCode":"US"}},"Package":[{"PackagingType":{"Code":"02"},"PackageWeight":{"UnitOfMeasurement":{"Code":"LBS","Description":"Pounds"},"Weight":"2"}}]}}}`
	h := http.Header{"Content-Type": {"application/json"}, "Transid": {"abc"}, "Transactionsrc": {"shipgate"}}
	if err := s.ValidateRequest(openapitest.RequestFromRecord("POST", "/rating/v2409/Shop", h, []byte(good))); err != nil {
		t.Fatalf("a well-formed request was refused: %v", err)
	}
	bad := strings.Replace(good, `"Shipment":{`, `"Shipment":{"Bogus":1,"Package":7,`, 1)
	bad = strings.Replace(bad, `"Package":[`, `"Pkg":[`, 1)
	if err := s.ValidateRequest(openapitest.RequestFromRecord("POST", "/rating/v2409/Shop", h, []byte(bad))); err == nil {
		t.Fatal("a request with a number for Package passed validation")
	}
}
