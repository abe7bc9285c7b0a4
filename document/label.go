package document

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode/code128"

	"github.com/shipgate/shipgate"
)

// Label geometry: a 4 x 6 inch label at the 203 dpi of thermal printers.
const (
	// DPI is the resolution every format is laid out for.
	DPI = 203
	// WidthDots and HeightDots are the label's size in printer dots
	// (4 x 6 inches at 203 dpi); the PNG and GIF images have this size.
	WidthDots  = 812
	HeightDots = 1218
	// WidthPt and HeightPt are the PDF page size in points (4 x 6 inches).
	WidthPt  = 288
	HeightPt = 432
	// Size is the stock size written into every Document.
	Size = "4x6"
)

// LabelData is what a shipping label shows.
type LabelData struct {
	// Carrier and Service are printed in the header ("UPS", "UPS Ground").
	Carrier, Service string
	From, To         shipgate.Address
	// TrackingNumber is printed and encoded as a Code 128 barcode. It must be
	// printable ASCII (0x20-0x7E), as Code 128 cannot encode anything else.
	TrackingNumber string
	// Weight is printed when its value is positive.
	Weight shipgate.Weight
	// Reference is the shipper's reference, printed at the bottom.
	Reference string
	// ShipDate is printed when set; it is also the creation date of a PDF,
	// which makes rendering deterministic.
	ShipDate time.Time
	// Parcel and Parcels print "PKG 1 OF 2" (Parcel is 1-based) when Parcels
	// is positive.
	Parcel, Parcels int
	// Routing is an optional routing or sort code printed large
	// ("CA 941 0-05"); without it the destination postal code is printed
	// there instead.
	Routing string
}

// Render draws the label d in format f (pdf, zpl, png or gif).
//
// It returns a *shipgate.Error with CodeUnsupported for another format and
// CodeInvalidRequest when the tracking number is empty, is not printable
// ASCII, or is too long for a scannable barcode on a 4-inch label. Any other
// field may hold any text: it is cleaned, wrapped and cut to fit.
func Render(d LabelData, f shipgate.LabelFormat) ([]byte, error) {
	switch f {
	case shipgate.FormatPNG, shipgate.FormatGIF:
		return renderRaster(d, f)
	case shipgate.FormatZPL:
		return renderZPL(d)
	case shipgate.FormatPDF:
		return renderPDF(d)
	}
	return nil, shipgate.Errorf(shipgate.CodeUnsupported, "document: cannot render a label as %q (formats: pdf, zpl, png, gif)", string(f))
}

// metrics is what the layout needs from a backend: which characters it can
// print and how wide text is, in dots.
type metrics interface {
	// clean returns sanitized text restricted to what the backend prints.
	clean(s string) string
	// width is the width of s in dots at em size size (dots).
	width(s string, size int, bold bool) int
}

// textOp is one line of text; x, y is the top-left corner of its box in
// dots, size its em size in dots.
type textOp struct {
	x, y, size int
	bold       bool
	s          string
	// al is how the text sits in the box [boxX, boxX+boxW); x already
	// accounts for it, but a backend may align the text itself (ZPL does,
	// its font being narrower than the one measured).
	al         align
	boxX, boxW int
}

// boxOp is a filled black rectangle, in dots.
type boxOp struct{ x, y, w, h int }

// barcodeOp is the Code 128 barcode: x, y is the top-left of the first bar
// (the quiet zones lie outside), module the width of one module in dots.
type barcodeOp struct {
	x, y, module, height int
	modules              []bool // true: black
	data                 string
}

// align is how a line of text sits on its x coordinate.
type align int

const (
	alignLeft align = iota
	alignRight
	alignCenter
)

// quietModules is the quiet zone on each side of the barcode, in modules
// (the Code 128 minimum).
const quietModules = 10

// quietWidth is the width in dots of one quiet zone.
func (b barcodeOp) quietWidth() int { return quietModules * b.module }

// page is a laid out label, the same for every backend except for text
// widths.
type page struct {
	texts   []textOp
	boxes   []boxOp
	barcode barcodeOp
}

// Layout, in dots.
const (
	margin      = 20
	contentW    = WidthDots - 2*margin
	headerRight = WidthDots - margin
	headerRW    = 300 // width of the header's right column
	headerLeft  = headerRight - headerRW
	fromW       = contentW - headerRW - margin
	toIndent    = 40
	barcodeTop  = 910
	barcodeH    = 200
)

// errTracking is the invalid_request error for a tracking number that cannot
// be printed as a barcode.
func errTracking(format string, args ...any) *shipgate.Error {
	return shipgate.FieldErrorf("tracking_number", format, args...)
}

// encodeTracking returns the Code 128 modules of tn.
func encodeTracking(tn string) ([]bool, error) {
	if tn == "" {
		return nil, errTracking("is empty")
	}
	for _, r := range tn {
		if r < 0x20 || r > 0x7E {
			return nil, errTracking("holds %q, which Code 128 cannot encode (printable ASCII only)", r)
		}
	}
	bc, err := code128.Encode(tn)
	if err != nil {
		e := errTracking("cannot be encoded as Code 128")
		e.Err = err
		return nil, e
	}
	n := bc.Bounds().Dx()
	mods := make([]bool, n)
	for x := range n {
		mods[x] = isDark(bc.At(bc.Bounds().Min.X+x, bc.Bounds().Min.Y))
	}
	return mods, nil
}

// isDark reports whether c is closer to black than to white.
func isDark(c color.Color) bool {
	r, g, b, a := c.RGBA()
	// Composite over white, then Rec. 601 luma.
	white := 0xffff - a
	y := (299*(r+white) + 587*(g+white) + 114*(b+white)) / 1000
	return y < 0x8000
}

// moduleWidth picks the widest module (4, 3 or 2 dots) at which n modules
// and both quiet zones fit in the label's printable width.
func moduleWidth(n int) (int, bool) {
	for m := 4; m >= 2; m-- {
		if (n+2*quietModules)*m <= contentW {
			return m, true
		}
	}
	return 0, false
}

// layout places every element of the label d, measuring text with m.
func layout(d LabelData, m metrics) (*page, error) {
	tn := strings.TrimSpace(d.TrackingNumber)
	mods, err := encodeTracking(tn)
	if err != nil {
		return nil, err
	}
	module, ok := moduleWidth(len(mods))
	if !ok {
		return nil, errTracking("is too long (%d characters) for a scannable barcode on a 4-inch label", len(tn))
	}
	p := &page{}
	bw := len(mods) * module
	p.barcode = barcodeOp{x: (WidthDots - bw) / 2, y: barcodeTop, module: module, height: barcodeH, modules: mods, data: tn}

	c := func(s string) string { return m.clean(sanitize(s)) }
	measure := func(size int, bold bool) measureFunc {
		return func(s string) int { return m.width(s, size, bold) }
	}
	// put adds one line of text cut to fit the box [boxX, boxX+boxW),
	// aligned in it.
	put := func(boxX, boxW, y, size int, bold bool, s string, al align) {
		s = fit(s, boxW, measure(size, bold))
		if s == "" {
			return
		}
		x := boxX
		switch al {
		case alignRight:
			x = boxX + boxW - m.width(s, size, bold)
		case alignCenter:
			x = boxX + (boxW-m.width(s, size, bold))/2
		}
		p.texts = append(p.texts, textOp{x: x, y: y, size: size, bold: bold, s: s, al: al, boxX: boxX, boxW: boxW})
	}
	// putShrink is put at the largest size from size down to minSize at
	// which s fits (cut at minSize when none does), centred vertically in
	// the line's box.
	putShrink := func(boxX, boxW, y, size, minSize int, bold bool, s string, al align) {
		fitted := size
		for ; fitted > minSize; fitted -= 2 {
			if m.width(s, fitted, bold) <= boxW {
				break
			}
		}
		fitted = max(fitted, minSize)
		put(boxX, boxW, y+(size-fitted)/2, fitted, bold, s, al)
	}
	lines := func(x, y, size, lineH int, bold bool, ls []string) {
		for i, l := range ls {
			p.texts = append(p.texts, textOp{x: x, y: y + i*lineH, size: size, bold: bold, s: l})
		}
	}
	rule := func(y, h int) { p.boxes = append(p.boxes, boxOp{x: margin, y: y, w: contentW, h: h}) }

	// Header: sender on the left, carrier, weight, parcel count and date on
	// the right.
	put(margin, fromW, 20, 20, true, "FROM:", alignLeft)
	lines(margin, 46, 24, 28, false, addressLines(d.From, c, fromW, 7, measure(24, false)))
	putShrink(headerLeft, headerRW, 20, 64, 36, true, c(d.Carrier), alignRight)
	if d.Weight.Value > 0 && !math.IsInf(d.Weight.Value, 0) {
		put(headerLeft, headerRW, 100, 36, true, c("WT: "+formatWeight(d.Weight)), alignRight)
	}
	if d.Parcels > 0 {
		put(headerLeft, headerRW, 148, 36, true, c(fmt.Sprintf("PKG %d OF %d", d.Parcel, d.Parcels)), alignRight)
	}
	if !d.ShipDate.IsZero() {
		put(headerLeft, headerRW, 204, 24, false, "DATE: "+d.ShipDate.Format("2006-01-02"), alignRight)
	}
	rule(248, 4)

	// Recipient, large.
	put(margin, contentW, 262, 22, true, "SHIP TO:", alignLeft)
	lines(margin+toIndent, 292, 42, 47, true, addressLines(d.To, c, contentW-toIndent, 7, measure(42, true)))
	rule(624, 8)

	// Routing or sort code, very large; the destination postal code when
	// the carrier gave none.
	routing := c(d.Routing)
	if routing == "" {
		routing = c(strings.TrimSpace(d.To.PostalCode + " " + d.To.Country))
	}
	putShrink(margin, contentW, 644, 110, 64, true, routing, alignLeft)
	rule(776, 4)

	// Service and tracking number.
	putShrink(margin, contentW, 788, 52, 36, true, c(strings.ToUpper(d.Service)), alignLeft)
	put(margin, contentW, 850, 28, false, "TRACKING #: "+tn, alignLeft)
	rule(890, 4)

	// Barcode (placed above) and its human-readable line.
	putShrink(margin, contentW, barcodeTop+barcodeH+8, 34, 24, true, tn, alignCenter)
	rule(1160, 2)

	// Footer.
	if ref := c(d.Reference); ref != "" {
		put(margin, contentW, 1170, 24, false, "REF: "+ref, alignLeft)
	}
	return p, nil
}

// formatWeight prints w as "2.5 LB" with at most two decimals.
func formatWeight(w shipgate.Weight) string {
	v := strconv.FormatFloat(math.Round(w.Value*100)/100, 'f', -1, 64)
	return v + " " + strings.ToUpper(string(w.Unit))
}

// addressLines returns the printed lines of a within budget lines: name,
// company, streets, "City, ST 12345", country and phone. Each of the first
// five may take two lines when it is too long for one. When the block needs
// more than budget lines, it gives up, in order: the phone, the second line
// of the company, of street 2, of the name, of street 1 and of the city,
// then the country, then whatever is last.
func addressLines(a shipgate.Address, c func(string) string, width, budget int, w measureFunc) []string {
	city := c(a.City)
	if st := c(a.State); st != "" {
		if city != "" {
			city += ", "
		}
		city += st
	}
	if pc := c(a.PostalCode); pc != "" {
		if city != "" {
			city += " "
		}
		city += pc
	}
	const (
		name = iota
		company
		street1
		street2
		cityLine
		country
		phone
		nFields
	)
	text := [nFields]string{c(a.Name), c(a.Company), c(a.Street1), c(a.Street2), city, c(a.Country), c(a.Phone)}
	var lines [nFields][]string
	total := 0
	for i, t := range text {
		maxLines := 2
		if i >= country {
			maxLines = 1
		}
		lines[i] = wrap(t, width, maxLines, w)
		total += len(lines[i])
	}
	shrink := func(i int) {
		if total <= budget || len(lines[i]) < 2 {
			return
		}
		total -= len(lines[i]) - 1
		lines[i] = wrap(text[i], width, 1, w)
	}
	drop := func(i int) {
		if total <= budget {
			return
		}
		total -= len(lines[i])
		lines[i] = nil
	}
	drop(phone)
	for _, i := range []int{company, street2, name, street1, cityLine} {
		shrink(i)
	}
	drop(country)
	var out []string
	for _, l := range lines {
		out = append(out, l...)
	}
	return out[:min(len(out), budget)]
}
