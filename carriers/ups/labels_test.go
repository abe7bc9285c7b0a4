package ups_test

import (
	"context"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/document"
	"github.com/shipgate/shipgate/internal/barcodescan"
)

// TestLabelsScan buys labels in each asked format and reads their barcodes
// back: ZPL for zpl, GIF for pdf and png, which the labels service converts
// (document.Convert) into what was asked.
func TestLabelsScan(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for _, format := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPDF, shipgate.FormatPNG} {
		t.Run(string(format), func(t *testing.T) {
			p, err := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_ground", Format: format})
			if err != nil {
				t.Fatal(err)
			}
			for _, pl := range p.Parcels {
				doc := pl.Document
				want := shipgate.FormatGIF
				if format == shipgate.FormatZPL {
					want = shipgate.FormatZPL
				}
				if doc.Format != want || doc.Size != "4x6" {
					t.Fatalf("label %s %s, want %s 4x6", doc.Format, doc.Size, want)
				}
				var got string
				if doc.Format == shipgate.FormatZPL {
					got, err = barcodescan.DecodeZPL(doc.Data)
				} else {
					conv, cerr := document.Convert(doc, format)
					if cerr != nil {
						t.Fatalf("convert GIF to %s: %v", format, cerr)
					}
					if format == shipgate.FormatPDF {
						got, err = barcodescan.DecodePDF(conv.Data)
					} else {
						got, err = barcodescan.DecodePNG(conv.Data)
					}
				}
				if err != nil || got != pl.TrackingNumber {
					t.Errorf("barcode reads %q (%v), want %s", got, err, pl.TrackingNumber)
				}
			}
		})
	}
}
