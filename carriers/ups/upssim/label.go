package upssim

import (
	"fmt"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/document"
)

// LabelInfo is what a label shows.
type LabelInfo struct {
	Service        string // "UPS Ground"
	ServiceCode    string // "03"
	From, To       shipgate.Address
	TrackingNumber string
	Weight         shipgate.Weight
	Reference      string
	ShipDate       time.Time
	Parcel         int // 1-based
	Parcels        int
	// Routing is UPS's routing code for the destination ("CA 941 0-08").
	Routing string
}

// LabelRenderer renders a 4x6 label in a UPS label image format: "GIF",
// "ZPL", "EPL" or "SPL".
type LabelRenderer func(info LabelInfo, format string) ([]byte, error)

// defaultRenderer draws GIF and ZPL labels with the document package (a
// Code 128 barcode of the tracking number that scanners read), SPL as ZPL
// (what SPL printers in ZPL emulation take) and EPL2 with its own simple
// layout.
func defaultRenderer(info LabelInfo, format string) ([]byte, error) {
	d := document.LabelData{
		Carrier: "UPS", Service: info.Service, From: info.From, To: info.To, TrackingNumber: info.TrackingNumber,
		Weight: info.Weight, Reference: info.Reference, ShipDate: info.ShipDate, Parcel: info.Parcel, Parcels: info.Parcels,
		Routing: info.Routing,
	}
	switch format {
	case "GIF":
		return document.Render(d, shipgate.FormatGIF)
	case "ZPL", "SPL":
		return document.Render(d, shipgate.FormatZPL)
	case "EPL":
		return renderEPL(info), nil
	}
	return nil, fmt.Errorf("label format %q is not supported", format)
}

func addressLines(a shipgate.Address) []string {
	var out []string
	for _, l := range []string{a.Company, a.Name, a.Street1, a.Street2} {
		if l = strings.TrimSpace(l); l != "" && (len(out) == 0 || out[len(out)-1] != l) {
			out = append(out, l)
		}
	}
	return append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", a.City, a.State, a.PostalCode)), a.Country)
}

func renderEPL(info LabelInfo) []byte {
	var b strings.Builder
	b.WriteString("\nN\nq812\nQ1218,24\n")
	y := 30
	for _, l := range append(addressLines(info.From), "", "SHIP TO:") {
		fmt.Fprintf(&b, "A30,%d,0,3,1,1,N,%q\n", y, l)
		y += 30
	}
	for _, l := range addressLines(info.To) {
		fmt.Fprintf(&b, "A80,%d,0,4,1,1,N,%q\n", y, l)
		y += 40
	}
	fmt.Fprintf(&b, "A30,%d,0,4,2,2,N,%q\n", y+20, strings.ToUpper(info.Service))
	fmt.Fprintf(&b, "A560,30,0,4,1,1,N,%q\n", fmt.Sprintf("%g %s", info.Weight.Value, strings.ToUpper(string(info.Weight.Unit))))
	fmt.Fprintf(&b, "B70,%d,0,1,3,6,220,N,%q\n", y+120, info.TrackingNumber)
	fmt.Fprintf(&b, "A30,%d,0,3,1,1,N,%q\n", y+360, "TRACKING #: "+spaced(info.TrackingNumber))
	b.WriteString("P1\n")
	return []byte(b.String())
}

// spaced writes a 1Z number the way UPS prints it: 1Z 999 AA1 01 2345 6784.
func spaced(tn string) string {
	if len(tn) != 18 {
		return tn
	}
	return tn[0:2] + " " + tn[2:5] + " " + tn[5:8] + " " + tn[8:10] + " " + tn[10:14] + " " + tn[14:18]
}
