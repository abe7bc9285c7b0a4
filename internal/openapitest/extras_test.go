package openapitest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/openapitest"
)

const goodRate = `{"RateRequest":{"Request":{"RequestOption":"Shop","TransactionReference":{"CustomerContext":"x"}},"Shipment":{"Shipper":{"Name":"A","ShipperNumber":"123456","Address":{"AddressLine":["1 Main"],"City":"Atlanta","StateProvinceCode":"GA","PostalCode":"30309","CountryCode":"US"}},"ShipTo":{"Name":"B","Address":{"AddressLine":["2 Main"],"City":"SF","StateProvinceCode":"CA","PostalCode":"94105","CountryCode":"US"}},"Package":[{"PackagingType":{"Code":"02"},"PackageWeight":{"UnitOfMeasurement":{"Code":"LBS","Description":"Pounds"},"Weight":"2"}}]}}}`

func TestDisallowUnknownFields(t *testing.T) {
	s := openapitest.LoadCarrierSpec(t, "ups/Rating.yaml")
	h := http.Header{"Content-Type": {"application/json"}}
	misspelled := strings.Replace(goodRate, `"PackageWeight"`, `"PackageWieght"`, 1)
	if err := s.ValidateRequest(openapitest.RequestFromRecord("POST", "/rating/v2409/Shop", h, []byte(misspelled))); err != nil {
		t.Fatalf("without strictness an unknown key passes, got %v", err)
	}
	s.DisallowUnknownFields()
	if err := s.ValidateRequest(openapitest.RequestFromRecord("POST", "/rating/v2409/Shop", h, []byte(goodRate))); err != nil {
		t.Fatalf("a well-formed request was refused: %v", err)
	}
	if err := s.ValidateRequest(openapitest.RequestFromRecord("POST", "/rating/v2409/Shop", h, []byte(misspelled))); err == nil {
		t.Fatal("a misspelled key passed a strict validation")
	}
}

func TestSetLengthAndExamples(t *testing.T) {
	s := openapitest.LoadCarrierSpec(t, "ups/Rating.yaml")
	if err := s.SetLength("Shipment_Service", "Code", 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLength("Shipment_Service", "NoSuchField", 1, 0); err == nil {
		t.Fatal("a correction of a missing property was accepted")
	}
	ex, err := s.RequestExamples("POST", "/rating/{version}/{requestoption}")
	if err != nil {
		t.Fatal(err)
	}
	names := openapitest.ExampleNames(ex)
	if len(names) < 2 || names[0] != "1" || !strings.Contains(string(ex["1"]), `"RateRequest"`) {
		t.Fatalf("examples %v", names)
	}
}
