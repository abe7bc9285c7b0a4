package document_test

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/document"
	"github.com/shipgate/shipgate/internal/barcodescan"
)

var update = flag.Bool("update", false, "rewrite the sample labels in testdata/")

// trackingNumbers are shaped like the carriers' and the sandbox's.
var trackingNumbers = []struct{ name, tn string }{
	{"ups", "1Z999AA10123456784"},
	{"dhl", "1234567890"},
	{"fedex", "794644790132"},
	{"usps", "9400100000000000000000"},
	{"sandbox", "SG4F7K2M9Q1X"},
	{"sandbox-dashes", "SBX-0001-ZZ9"},
}

// sample is a realistic label with a few non-ASCII characters.
func sample(tn string) document.LabelData {
	return document.LabelData{
		Carrier: "UPS", Service: "UPS Ground",
		From: shipgate.Address{Name: "Shipping Dept", Company: "Acme Widgets Inc.", Street1: "500 Industrial Pkwy",
			City: "Reno", State: "NV", PostalCode: "89502", Country: "US", Phone: "+1 775 555 0100"},
		To: shipgate.Address{Name: "Zoë Ångström", Company: "Großhandel Müller GmbH", Street1: "1 Market St",
			Street2: "Suite 300", City: "San Francisco", State: "CA", PostalCode: "94105", Country: "US"},
		TrackingNumber: tn,
		Weight:         shipgate.Weight{Value: 2.5, Unit: shipgate.Pound},
		Reference:      "ORDER-1234",
		ShipDate:       time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Parcel:         1, Parcels: 2,
		Routing: "CA 941 0-05",
	}
}

func mustRender(t testing.TB, d document.LabelData, f shipgate.LabelFormat) []byte {
	t.Helper()
	b, err := document.Render(d, f)
	if err != nil {
		t.Fatalf("Render(%s): %v", f, err)
	}
	return b
}

func mustConvert(t testing.TB, doc shipgate.Document, to shipgate.LabelFormat) shipgate.Document {
	t.Helper()
	out, err := document.Convert(doc, to)
	if err != nil {
		t.Fatalf("Convert(%s -> %s): %v", doc.Format, to, err)
	}
	if out.Format != to || out.Size != document.Size {
		t.Fatalf("Convert(%s -> %s) = format %q size %q", doc.Format, to, out.Format, out.Size)
	}
	return out
}

// checkBlackWhite fails unless img is 812 x 1218 and has only pure black
// and pure white pixels.
func checkBlackWhite(t *testing.T, img image.Image) {
	t.Helper()
	if b := img.Bounds(); b.Dx() != document.WidthDots || b.Dy() != document.HeightDots {
		t.Fatalf("image is %v, want %dx%d", b, document.WidthDots, document.HeightDots)
	}
	p, ok := img.(*image.Paletted)
	if !ok {
		t.Fatalf("image is %T, want a paletted black and white image", img)
	}
	for _, c := range p.Palette {
		g := color.GrayModel.Convert(c).(color.Gray)
		if g.Y != 0 && g.Y != 0xff {
			t.Fatalf("palette holds %v: not crisp black and white", c)
		}
	}
}

func checkPDF(t *testing.T, pdf []byte, pages int) {
	t.Helper()
	sizes, err := document.ValidatePDF(pdf)
	if err != nil {
		t.Fatalf("ValidatePDF: %v", err)
	}
	if len(sizes) != pages {
		t.Fatalf("PDF has %d pages, want %d", len(sizes), pages)
	}
	for i, s := range sizes {
		if s.Width != document.WidthPt || s.Height != document.HeightPt {
			t.Errorf("page %d is %gx%g pt, want %dx%d", i+1, s.Width, s.Height, document.WidthPt, document.HeightPt)
		}
	}
}

func TestRenderPNGAndGIF(t *testing.T) {
	for _, tc := range trackingNumbers {
		t.Run(tc.name, func(t *testing.T) {
			d := sample(tc.tn)
			pngData := mustRender(t, d, shipgate.FormatPNG)
			img, err := png.Decode(bytes.NewReader(pngData))
			if err != nil {
				t.Fatal(err)
			}
			checkBlackWhite(t, img)
			if got, err := barcodescan.DecodePNG(pngData); err != nil || got != tc.tn {
				t.Errorf("PNG barcode = %q, %v; want %q", got, err, tc.tn)
			}

			gifData := mustRender(t, d, shipgate.FormatGIF)
			gimg, err := gif.Decode(bytes.NewReader(gifData))
			if err != nil {
				t.Fatal(err)
			}
			checkBlackWhite(t, gimg)
			if got, err := barcodescan.DecodeGIF(gifData); err != nil || got != tc.tn {
				t.Errorf("GIF barcode = %q, %v; want %q", got, err, tc.tn)
			}
			// The GIF is the same picture as the PNG.
			pi, gi := img.(*image.Paletted), gimg.(*image.Paletted)
			for i := range pi.Pix {
				if pi.Palette[pi.Pix[i]] != gi.Palette[gi.Pix[i]] {
					t.Fatalf("GIF and PNG differ at pixel %d", i)
				}
			}
		})
	}
}

func TestRenderPDF(t *testing.T) {
	for _, tc := range trackingNumbers {
		t.Run(tc.name, func(t *testing.T) {
			pdf := mustRender(t, sample(tc.tn), shipgate.FormatPDF)
			checkPDF(t, pdf, 1)
			if got, err := barcodescan.DecodePDF(pdf); err != nil || got != tc.tn {
				t.Errorf("PDF barcode = %q, %v; want %q", got, err, tc.tn)
			}
			// The barcode image is drawn at one pixel per 203 dpi dot, with
			// modules of at least 2 dots and its quiet zones.
			imgs, err := document.ExtractImages(pdf)
			if err != nil || len(imgs) != 1 {
				t.Fatalf("ExtractImages = %d images, %v; want 1", len(imgs), err)
			}
			if !bytes.Contains(pdf, []byte("/Title")) || !bytes.Contains(pdf, []byte("/Helvetica")) {
				t.Errorf("PDF lacks its title or its core font")
			}
		})
	}
}

// zplCommands returns the commands of a ZPL label in order ("^XA", "^FO",
// ...): every '^' or '~' followed by the two-letter command name.
func zplCommands(z string) []string {
	var cmds []string
	for i := 0; i < len(z); i++ {
		if z[i] == '^' || z[i] == '~' {
			end := min(i+3, len(z))
			cmds = append(cmds, z[i:end])
		}
	}
	return cmds
}

// zplAllowed are the commands Render may write.
var zplAllowed = map[string]bool{
	"^XA": true, "^XZ": true, "^CI": true, "^PW": true, "^LL": true, "^LH": true, "^FO": true,
	"^A0": true, "^FD": true, "^FS": true, "^FH": true, "^FB": true, "^GB": true, "^BY": true, "^BC": true,
}

// checkZPLStructure fails unless z is one ^XA...^XZ label made only of
// zplAllowed commands, every field opened with ^FO and closed with ^FS.
func checkZPLStructure(t testing.TB, z string) {
	t.Helper()
	if !strings.HasPrefix(z, "^XA") || !strings.HasSuffix(strings.TrimSpace(z), "^XZ") {
		t.Fatalf("ZPL is not ^XA...^XZ:\n%s", z)
	}
	cmds := zplCommands(z)
	counts := map[string]int{}
	for _, c := range cmds {
		if !zplAllowed[c] {
			t.Fatalf("ZPL holds command %q:\n%s", c, z)
		}
		counts[c]++
	}
	if counts["^XA"] != 1 || counts["^XZ"] != 1 {
		t.Fatalf("ZPL has %d ^XA and %d ^XZ, want one each:\n%s", counts["^XA"], counts["^XZ"], z)
	}
	if counts["^FO"] != counts["^FS"] || counts["^FD"]+counts["^GB"] != counts["^FS"] {
		t.Fatalf("ZPL fields unbalanced: %v\n%s", counts, z)
	}
}

func TestRenderZPL(t *testing.T) {
	for _, tc := range trackingNumbers {
		t.Run(tc.name, func(t *testing.T) {
			z := string(mustRender(t, sample(tc.tn), shipgate.FormatZPL))
			checkZPLStructure(t, z)
			for _, want := range []string{"^PW812", "^LL1218", "^CI28", "^BCN,", "^FD" + tc.tn + "^FS"} {
				if !strings.Contains(z, want) {
					t.Errorf("ZPL lacks %q", want)
				}
			}
			if got, err := barcodescan.DecodeZPL([]byte(z)); err != nil || got != tc.tn {
				t.Errorf("ZPL ^BC data = %q, %v; want %q", got, err, tc.tn)
			}
			// Module width of at least 2 dots.
			i := strings.Index(z, "^BY")
			if i < 0 || z[i+3] < '2' || z[i+3] > '4' {
				t.Errorf("^BY module width is not 2..4 dots: %q", z[i:i+6])
			}
		})
	}
}

func TestRenderZPLEscapesUserText(t *testing.T) {
	evil := "x^XZ^XA^FO0,0^GB812,1218,812^FS~JR_\\&y"
	d := sample("1Z999AA10123456784")
	d.Carrier, d.Service, d.Reference, d.Routing = evil, evil, evil, evil
	d.To.Name, d.To.Street1, d.From.Company, d.To.City = evil, evil, evil, evil
	z := string(mustRender(t, d, shipgate.FormatZPL))
	checkZPLStructure(t, z)
	if strings.Contains(z, "~") {
		t.Errorf("a '~' from user text reached the ZPL:\n%s", z)
	}
	if !strings.Contains(z, "^FH_^FD") || !strings.Contains(z, "_5EXZ_5EXA") {
		t.Errorf("user text is not ^FH-escaped:\n%s", z)
	}
	// In a right-aligned field block, a backslash is doubled too.
	d.Carrier = `A\&B~`
	z = string(mustRender(t, d, shipgate.FormatZPL))
	checkZPLStructure(t, z)
	if want := `^FB300,1,0,R^FH_^FDA\\&B_7E^FS`; !strings.Contains(z, want) {
		t.Errorf("field block text not escaped, want %s in:\n%s", want, z)
	}
}

func TestRenderTrackingNumberErrors(t *testing.T) {
	for _, tc := range []struct{ name, tn string }{
		{"empty", ""},
		{"spaces", "   "},
		{"non-ascii", "1Z99é"},
		{"control", "12\x0034"},
		{"too long", strings.Repeat("AZ", 40)},
		{"too long for Code 128", strings.Repeat("Z", 81)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG} {
				_, err := document.Render(sample(tc.tn), f)
				if shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
					t.Errorf("%s: err = %v, want invalid_request", f, err)
				}
			}
		})
	}
	if _, err := document.Render(sample("1234567890"), "bmp"); shipgate.ErrorCode(err) != shipgate.CodeUnsupported {
		t.Errorf("bmp: err = %v, want unsupported", err)
	}
}

// TestRenderLongAndEmpty renders extreme addresses in every format: they
// must fit (see the layout test) and the barcode must still decode.
func TestRenderLongAndEmpty(t *testing.T) {
	long := strings.Repeat("Verylongwordwithoutanyspace", 8) + " " + strings.Repeat("word ", 60)
	cases := map[string]func(*document.LabelData){
		"empty": func(d *document.LabelData) {
			*d = document.LabelData{TrackingNumber: d.TrackingNumber}
		},
		"long": func(d *document.LabelData) {
			d.Carrier, d.Service, d.Reference, d.Routing = long, long, long, long
			d.From = shipgate.Address{Name: long, Company: long, Street1: long, Street2: long, City: long, State: long, PostalCode: long, Country: long, Phone: long}
			d.To = d.From
			d.Parcel, d.Parcels = 1<<62, 1<<62
			d.Weight = shipgate.Weight{Value: 1e300, Unit: "lb"}
		},
		"scripts": func(d *document.LabelData) {
			d.To = shipgate.Address{Name: "山田 太郎", Company: "Ελληνικά Ταχυδρομεία", Street1: "ул. Тверская, д. 7",
				Street2: "שלום עליכם", City: "Москва", Country: "RU"}
			d.Reference = "emoji 📦🚚 and a\u202Ebidi override"
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			d := sample("1Z999AA10123456784")
			mutate(&d)
			for _, f := range []shipgate.LabelFormat{shipgate.FormatPNG, shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatGIF} {
				b := mustRender(t, d, f)
				var got string
				var err error
				switch f {
				case shipgate.FormatPNG:
					got, err = barcodescan.DecodePNG(b)
				case shipgate.FormatGIF:
					got, err = barcodescan.DecodeGIF(b)
				case shipgate.FormatPDF:
					checkPDF(t, b, 1)
					got, err = barcodescan.DecodePDF(b)
				case shipgate.FormatZPL:
					checkZPLStructure(t, string(b))
					got, err = barcodescan.DecodeZPL(b)
				}
				if err != nil || got != d.TrackingNumber {
					t.Errorf("%s barcode = %q, %v", f, got, err)
				}
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatGIF} {
		a := mustRender(t, sample("1234567890"), f)
		b := mustRender(t, sample("1234567890"), f)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of one label differ", f)
		}
	}
}

// TestSamples keeps one label of each format in testdata/ for people to look
// at (go test -update rewrites them) and checks that the ZPL commands and the
// PNG's pixels are current (the PDF's and PNG's compressed bytes may change
// with the Go version, so they are not compared).
func TestSamples(t *testing.T) {
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG} {
		b := mustRender(t, sample("1Z999AA10123456784"), f)
		path := filepath.Join("testdata", "sample."+string(f))
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		switch f {
		case shipgate.FormatZPL:
			if !bytes.Equal(b, want) {
				t.Errorf("ZPL differs from %s (run go test -update after checking the change):\n%s", path, b)
			}
		case shipgate.FormatPNG:
			got, err1 := png.Decode(bytes.NewReader(b))
			old, err2 := png.Decode(bytes.NewReader(want))
			if err1 != nil || err2 != nil {
				t.Fatalf("decode: %v, %v", err1, err2)
			}
			if !bytes.Equal(got.(*image.Paletted).Pix, old.(*image.Paletted).Pix) {
				t.Errorf("PNG pixels differ from %s (run go test -update after looking at both)", path)
			}
		}
	}
}

func TestConvertSameFormat(t *testing.T) {
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatGIF} {
		doc := shipgate.Document{Format: f, Size: "4x6", Data: mustRender(t, sample("1234567890"), f)}
		out, err := document.Convert(doc, f)
		if err != nil || out.Format != f || !bytes.Equal(out.Data, doc.Data) {
			t.Errorf("%s -> %s: changed (err %v)", f, f, err)
		}
	}
}

func TestConvertImageToZPL(t *testing.T) {
	for _, from := range []shipgate.LabelFormat{shipgate.FormatPNG, shipgate.FormatGIF} {
		for _, tc := range trackingNumbers {
			t.Run(string(from)+"/"+tc.name, func(t *testing.T) {
				doc := shipgate.Document{Format: from, Data: mustRender(t, sample(tc.tn), from)}
				z := mustConvert(t, doc, shipgate.FormatZPL)
				zs := string(z.Data)
				if !strings.HasPrefix(zs, "^XA") || !strings.HasSuffix(strings.TrimSpace(zs), "^XZ") {
					t.Fatalf("not a ZPL label: %.60q", zs)
				}
				gf, err := barcodescan.ParseGF(z.Data)
				if err != nil {
					t.Fatal(err)
				}
				if gf.Total != gf.BytesPerRow*gf.Rows || gf.BytesPerRow != 102 || gf.Rows != document.HeightDots {
					t.Errorf("^GF is %d bytes, %d per row, %d rows; want 102 per row, 1218 rows", gf.Total, gf.BytesPerRow, gf.Rows)
				}
				if got, err := barcodescan.Decode(gf.Image); err != nil || got != tc.tn {
					t.Errorf("barcode in ^GF = %q, %v; want %q", got, err, tc.tn)
				}
				if got, err := barcodescan.DecodeZPL(z.Data); err != nil || got != tc.tn {
					t.Errorf("DecodeZPL = %q, %v", got, err)
				}
			})
		}
	}
}

// scaled returns the label image img resized by num/den with nearest
// neighbour, as gray levels, and turned to landscape when rotate is set.
func scaled(img *image.Paletted, num, den int, rotate bool) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx()*num/den, b.Dy()*num/den
	out := image.NewGray(image.Rect(0, 0, w, h))
	if rotate {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	var lum [256]uint8
	for i, c := range img.Palette {
		lum[i] = color.GrayModel.Convert(c).(color.Gray).Y
	}
	for y := range h {
		for x := range w {
			v := lum[img.Pix[img.PixOffset(b.Min.X+x*den/num, b.Min.Y+y*den/num)]]
			if rotate {
				// Counter-clockwise, so that Convert's clockwise turn undoes it.
				out.Pix[out.PixOffset(y, w-1-x)] = v
			} else {
				out.Pix[out.PixOffset(x, y)] = v
			}
		}
	}
	return out
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestConvertFitsOtherSizes converts images that are not 812 x 1218 (half
// size, double size, landscape): the ^GF is always portrait within the label
// and the barcode still decodes.
func TestConvertFitsOtherSizes(t *testing.T) {
	const tn = "1Z999AA10123456784"
	label, err := png.Decode(bytes.NewReader(mustRender(t, sample(tn), shipgate.FormatPNG)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		num, den int
		rotate   bool
		wantRows int
	}{
		{"half size", 1, 2, false, document.HeightDots},
		{"double size", 2, 1, false, document.HeightDots},
		{"landscape", 1, 1, true, document.HeightDots},
		{"300 dpi", 300, 203, false, document.HeightDots},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := scaled(label.(*image.Paletted), tc.num, tc.den, tc.rotate)
			doc := shipgate.Document{Format: shipgate.FormatPNG, Data: encodePNG(t, img)}
			z := mustConvert(t, doc, shipgate.FormatZPL)
			gf, err := barcodescan.ParseGF(z.Data)
			if err != nil {
				t.Fatal(err)
			}
			if gf.Rows > document.HeightDots || gf.BytesPerRow*8 > document.WidthDots+7 || gf.Rows < gf.BytesPerRow*8 {
				t.Errorf("^GF is %d x %d: not portrait within 812 x 1218", gf.BytesPerRow*8, gf.Rows)
			}
			if gf.Rows != tc.wantRows && gf.Rows != tc.wantRows-1 {
				t.Errorf("^GF has %d rows, want about %d", gf.Rows, tc.wantRows)
			}
			if got, err := barcodescan.Decode(gf.Image); err != nil || got != tn {
				t.Errorf("barcode = %q, %v", got, err)
			}
			pdf := mustConvert(t, doc, shipgate.FormatPDF)
			checkPDF(t, pdf.Data, 1)
			if got, err := barcodescan.DecodePDF(pdf.Data); err != nil || got != tn {
				t.Errorf("PDF barcode = %q, %v", got, err)
			}
		})
	}
}

func TestConvertImageToPDF(t *testing.T) {
	for _, from := range []shipgate.LabelFormat{shipgate.FormatPNG, shipgate.FormatGIF} {
		for _, tc := range trackingNumbers[:2] {
			t.Run(string(from)+"/"+tc.name, func(t *testing.T) {
				doc := shipgate.Document{Format: from, Data: mustRender(t, sample(tc.tn), from)}
				pdf := mustConvert(t, doc, shipgate.FormatPDF)
				checkPDF(t, pdf.Data, 1)
				if got, err := barcodescan.DecodePDF(pdf.Data); err != nil || got != tc.tn {
					t.Errorf("barcode = %q, %v; want %q", got, err, tc.tn)
				}
			})
		}
	}
}

func TestConvertBetweenImages(t *testing.T) {
	const tn = "SG4F7K2M9Q1X"
	gifDoc := shipgate.Document{Format: shipgate.FormatGIF, Data: mustRender(t, sample(tn), shipgate.FormatGIF)}
	p := mustConvert(t, gifDoc, shipgate.FormatPNG)
	if got, err := barcodescan.DecodePNG(p.Data); err != nil || got != tn {
		t.Errorf("gif -> png barcode = %q, %v", got, err)
	}
	g := mustConvert(t, p, shipgate.FormatGIF)
	if got, err := barcodescan.DecodeGIF(g.Data); err != nil || got != tn {
		t.Errorf("png -> gif barcode = %q, %v", got, err)
	}
	// A gray (not paletted) PNG becomes a gray GIF without dithering.
	img, _ := png.Decode(bytes.NewReader(p.Data))
	grayDoc := shipgate.Document{Format: shipgate.FormatPNG, Data: encodePNG(t, scaled(img.(*image.Paletted), 1, 1, false))}
	g2 := mustConvert(t, grayDoc, shipgate.FormatGIF)
	if got, err := barcodescan.DecodeGIF(g2.Data); err != nil || got != tn {
		t.Errorf("gray png -> gif barcode = %q, %v", got, err)
	}
}

func TestConvertUnsupported(t *testing.T) {
	pdf := shipgate.Document{Format: shipgate.FormatPDF, Data: mustRender(t, sample("1234567890"), shipgate.FormatPDF)}
	zpl := shipgate.Document{Format: shipgate.FormatZPL, Data: mustRender(t, sample("1234567890"), shipgate.FormatZPL)}
	pngDoc := shipgate.Document{Format: shipgate.FormatPNG, Data: mustRender(t, sample("1234567890"), shipgate.FormatPNG)}
	for _, tc := range []struct {
		doc  shipgate.Document
		to   shipgate.LabelFormat
		want string
	}{
		{pdf, shipgate.FormatPNG, "pdf label to png"},
		{pdf, shipgate.FormatZPL, "pdf label to zpl"},
		{pdf, shipgate.FormatGIF, "pdf label to gif"},
		{zpl, shipgate.FormatPNG, "zpl label to png"},
		{zpl, shipgate.FormatPDF, "zpl label to pdf"},
		{pngDoc, "bmp", `"bmp"`},
		{shipgate.Document{Format: "epl", Data: []byte("N\n")}, shipgate.FormatPDF, `"epl"`},
	} {
		out, err := document.Convert(tc.doc, tc.to)
		var e *shipgate.Error
		if !errors.As(err, &e) || e.Code != shipgate.CodeUnsupported {
			t.Errorf("%s -> %s: err = %v, want unsupported", tc.doc.Format, tc.to, err)
			continue
		}
		if !strings.Contains(e.Message, tc.want) || out.Data != nil {
			t.Errorf("%s -> %s: message %q lacks %q (or data returned)", tc.doc.Format, tc.to, e.Message, tc.want)
		}
	}
}

func TestConvertInvalidData(t *testing.T) {
	huge := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	// Patch the IHDR to claim 100000 x 100000 pixels (the CRC is then wrong,
	// which DecodeConfig does not check before the size).
	copy(huge[16:24], []byte{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0})
	for _, doc := range []shipgate.Document{
		{Format: shipgate.FormatPNG},
		{Format: shipgate.FormatPNG, Data: []byte("not a png")},
		{Format: shipgate.FormatGIF, Data: []byte("GIF89a")},
		{Format: shipgate.FormatPNG, Data: mustRender(t, sample("1234567890"), shipgate.FormatGIF)},
		{Format: shipgate.FormatPNG, Data: huge},
	} {
		for _, to := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPDF, shipgate.FormatGIF, shipgate.FormatPNG} {
			if to == doc.Format {
				continue // returned unchanged, not decoded
			}
			if _, err := document.Convert(doc, to); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
				t.Errorf("%s (%d bytes) -> %s: err = %v, want invalid_request", doc.Format, len(doc.Data), to, err)
			}
		}
	}
}

func TestMergePDF(t *testing.T) {
	tns := []string{"1Z999AA10123456784", "1Z999AA10123456791", "1Z999AA10123456808"}
	var pdfs [][]byte
	for i, tn := range tns {
		d := sample(tn)
		d.Parcel, d.Parcels = i+1, len(tns)
		pdfs = append(pdfs, mustRender(t, d, shipgate.FormatPDF))
	}
	merged, err := document.MergePDF(pdfs)
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, merged, 3)
	imgs, err := document.ExtractImages(merged)
	if err != nil || len(imgs) != 3 {
		t.Fatalf("merged PDF has %d images, %v; want 3", len(imgs), err)
	}
	for i, img := range imgs {
		if got, err := barcodescan.Decode(img); err != nil || got != tns[i] {
			t.Errorf("page %d barcode = %q, %v; want %q", i+1, got, err, tns[i])
		}
	}
	// A merged document merges again.
	again, err := document.MergePDF([][]byte{merged, pdfs[0]})
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, again, 4)

	one, err := document.MergePDF(pdfs[:1])
	if err != nil || !bytes.Equal(one, pdfs[0]) {
		t.Errorf("merging one PDF changed it (err %v)", err)
	}
	for name, in := range map[string][][]byte{
		"none":    nil,
		"empty":   {pdfs[0], nil},
		"garbage": {pdfs[0], []byte("%PDF-1.4 garbage")},
	} {
		if _, err := document.MergePDF(in); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Errorf("%s: err = %v, want invalid_request", name, err)
		}
	}
}

func TestValidatePDFRejectsGarbage(t *testing.T) {
	pdf := mustRender(t, sample("1234567890"), shipgate.FormatPDF)
	for name, b := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello"),
		"truncated": pdf[:len(pdf)/2],
	} {
		if _, err := document.ValidatePDF(b); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Errorf("%s: err = %v, want invalid_request", name, err)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("UPS", "UPS Ground", "Zoë Ångström", "1 Market St", "San Francisco", "1Z999AA10123456784", "ORDER-1", "CA 941", 1, 2)
	f.Add("", "", "", "", "", "1234567890", "", "", 0, 0)
	f.Add("^XZ~JR", "\\&^FS", "\x00\xff\xfe", "山田 太郎", "Москва", "SBX-0001", "\u202e📦", strings.Repeat("W", 300), -1, 1<<40)
	f.Add("a", "b", strings.Repeat("x ", 500), strings.Repeat("y", 500), "c", "^~_", "r", "z", 3, 2)
	f.Fuzz(func(t *testing.T, carrier, service, name, street, city, tn, ref, routing string, parcel, parcels int) {
		d := document.LabelData{
			Carrier: carrier, Service: service,
			From:           shipgate.Address{Name: name, Street1: street, City: city, Country: routing},
			To:             shipgate.Address{Name: street, Company: name, Street1: street + name, Street2: ref, City: city, State: carrier, PostalCode: tn, Country: service, Phone: ref},
			TrackingNumber: tn, Reference: ref, Routing: routing, Parcel: parcel, Parcels: parcels,
			Weight: shipgate.Weight{Value: float64(parcel) / 3, Unit: shipgate.WeightUnit(city)},
		}
		for _, fm := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatPDF} {
			b, err := document.Render(d, fm)
			if err != nil {
				if c := shipgate.ErrorCode(err); c != shipgate.CodeInvalidRequest {
					t.Fatalf("%s: error code %s: %v", fm, c, err)
				}
				continue
			}
			switch fm {
			case shipgate.FormatZPL:
				checkZPLStructure(t, string(b))
			case shipgate.FormatPNG:
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				if err != nil || cfg.Width != document.WidthDots || cfg.Height != document.HeightDots {
					t.Fatalf("png: %v %v", cfg, err)
				}
			case shipgate.FormatPDF:
				if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
					t.Fatalf("pdf: not a PDF")
				}
			}
		}
	})
}

func BenchmarkRender(b *testing.B) {
	d := sample("1Z999AA10123456784")
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatGIF} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := document.Render(d, f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "bytes/label")
		})
	}
}

func BenchmarkConvert(b *testing.B) {
	pngData := mustRender(b, sample("1Z999AA10123456784"), shipgate.FormatPNG)
	gifData := mustRender(b, sample("1Z999AA10123456784"), shipgate.FormatGIF)
	for _, tc := range []struct {
		from shipgate.LabelFormat
		data []byte
		to   shipgate.LabelFormat
	}{
		{shipgate.FormatPNG, pngData, shipgate.FormatZPL},
		{shipgate.FormatPNG, pngData, shipgate.FormatPDF},
		{shipgate.FormatGIF, gifData, shipgate.FormatZPL},
		{shipgate.FormatGIF, gifData, shipgate.FormatPNG},
	} {
		b.Run(string(tc.from)+"-"+string(tc.to), func(b *testing.B) {
			doc := shipgate.Document{Format: tc.from, Data: tc.data}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := document.Convert(doc, tc.to); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMergePDF(b *testing.B) {
	var pdfs [][]byte
	for range 3 {
		pdfs = append(pdfs, mustRender(b, sample("1Z999AA10123456784"), shipgate.FormatPDF))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := document.MergePDF(pdfs); err != nil {
			b.Fatal(err)
		}
	}
}
