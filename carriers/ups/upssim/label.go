package upssim

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"strings"
	"time"
)

// LabelInfo is what a label shows.
type LabelInfo struct {
	Service        string // "UPS Ground"
	ServiceCode    string // "03"
	From, To       LabelAddress
	TrackingNumber string
	Weight         string // "2.5 LBS"
	Reference      string
	ShipDate       time.Time
	Parcel         int // 1-based
	Parcels        int
}

// LabelAddress is one address block of a label.
type LabelAddress struct {
	Name, Company           string
	Lines                   []string
	City, State, PostalCode string
	Country                 string
	Phone                   string
}

// LabelRenderer renders a 4x6 label in a UPS label image format: "GIF",
// "ZPL", "EPL" or "SPL".
type LabelRenderer func(info LabelInfo, format string) ([]byte, error)

// defaultRenderer writes a simple but well-formed label: ZPL II and EPL2
// commands with the addresses, service and a Code 128 barcode of the tracking
// number, or a 4x6 GIF image (800x1200, 203 dpi) with a border and bars.
func defaultRenderer(info LabelInfo, format string) ([]byte, error) {
	switch format {
	case "ZPL":
		return renderZPL(info), nil
	case "EPL":
		return renderEPL(info), nil
	case "SPL":
		// Datamax SPL: the simulator sends the ZPL body, which is what most
		// SPL-capable printers in emulation mode accept.
		return renderZPL(info), nil
	case "GIF":
		return renderGIF(info)
	}
	return nil, fmt.Errorf("label format %q is not supported", format)
}

func addressLines(a LabelAddress) []string {
	var out []string
	if a.Company != "" {
		out = append(out, a.Company)
	}
	if a.Name != "" && a.Name != a.Company {
		out = append(out, a.Name)
	}
	out = append(out, a.Lines...)
	out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", a.City, a.State, a.PostalCode)), a.Country)
	return out
}

// zplText escapes the characters that ZPL field data treats specially.
func zplText(s string) string {
	r := strings.NewReplacer("^", " ", "~", " ")
	return r.Replace(s)
}

func renderZPL(info LabelInfo) []byte {
	var b strings.Builder
	b.WriteString("^XA\n^CI28\n^PW812\n^LL1218\n^LH0,0\n")
	y := 30
	for _, l := range addressLines(info.From) {
		fmt.Fprintf(&b, "^FO30,%d^A0N,26,26^FD%s^FS\n", y, zplText(l))
		y += 30
	}
	fmt.Fprintf(&b, "^FO560,30^A0N,40,40^FD%s^FS\n", zplText(info.Weight))
	fmt.Fprintf(&b, "^FO560,80^A0N,30,30^FD%d OF %d^FS\n", info.Parcel, info.Parcels)
	b.WriteString("^FO30,250^GB752,3,3^FS\n^FO30,270^A0N,30,30^FDSHIP TO:^FS\n")
	y = 310
	for _, l := range addressLines(info.To) {
		fmt.Fprintf(&b, "^FO80,%d^A0N,40,40^FD%s^FS\n", y, zplText(l))
		y += 45
	}
	b.WriteString("^FO30,620^GB752,3,3^FS\n")
	fmt.Fprintf(&b, "^FO30,640^A0N,60,60^FD%s^FS\n", zplText(strings.ToUpper(info.Service)))
	fmt.Fprintf(&b, "^FO30,710^A0N,34,34^FDTRACKING #: %s^FS\n", zplText(spaced(info.TrackingNumber)))
	b.WriteString("^FO30,760^GB752,3,3^FS\n")
	fmt.Fprintf(&b, "^FO70,790^BY3^BCN,220,N,N,N^FD>:%s^FS\n", zplText(info.TrackingNumber))
	b.WriteString("^FO30,1040^GB752,3,3^FS\n")
	if info.Reference != "" {
		fmt.Fprintf(&b, "^FO30,1060^A0N,26,26^FDREF: %s^FS\n", zplText(info.Reference))
	}
	fmt.Fprintf(&b, "^FO30,1100^A0N,26,26^FDSHIP DATE: %s^FS\n", info.ShipDate.Format("02 Jan 2006"))
	b.WriteString("^FO30,1150^A0N,22,22^FDUPSSIM - NOT A REAL UPS LABEL^FS\n^XZ\n")
	return []byte(b.String())
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

func renderGIF(info LabelInfo) ([]byte, error) {
	const w, h = 800, 1200
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.White, color.Black})
	fill := func(x0, y0, x1, y1 int) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	// Border and separators.
	fill(10, 10, w-10, 16)
	fill(10, h-16, w-10, h-10)
	fill(10, 10, 16, h-10)
	fill(w-16, 10, w-10, h-10)
	fill(10, 250, w-10, 254)
	fill(10, 620, w-10, 624)
	fill(10, 1040, w-10, 1044)
	// A MaxiCode-like target where UPS prints its 2D code.
	for r := 60; r > 0; r -= 20 {
		for y := 420 - r; y < 420+r; y++ {
			for x := 620 - r; x < 620+r; x++ {
				dx, dy := x-620, y-420
				if d := dx*dx + dy*dy; d <= r*r && d > (r-10)*(r-10) {
					img.SetColorIndex(x, y, 1)
				}
			}
		}
	}
	// Bars from the tracking number's bits (a placeholder for a barcode).
	x := 60
	for _, c := range []byte(info.TrackingNumber) {
		for bit := 7; bit >= 0 && x < w-60; bit-- {
			width := 3
			if c>>bit&1 == 1 {
				width = 6
			}
			fill(x, 800, x+width, 1020)
			x += width + 3
		}
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
