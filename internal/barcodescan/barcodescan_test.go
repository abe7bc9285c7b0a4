package barcodescan_test

import (
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/document"
	"github.com/shipgate/shipgate/internal/barcodescan"
)

func render(t *testing.T, tn string, f shipgate.LabelFormat) []byte {
	t.Helper()
	b, err := document.Render(document.LabelData{Carrier: "DHL", Service: "Express", TrackingNumber: tn}, f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeImages(t *testing.T) {
	for _, tn := range []string{"1234567890", "1Z999AA10123456784"} {
		if got, err := barcodescan.DecodePNG(render(t, tn, shipgate.FormatPNG)); err != nil || got != tn {
			t.Errorf("png: %q, %v; want %q", got, err, tn)
		}
		if got, err := barcodescan.DecodeGIF(render(t, tn, shipgate.FormatGIF)); err != nil || got != tn {
			t.Errorf("gif: %q, %v; want %q", got, err, tn)
		}
		if got, err := barcodescan.DecodePDF(render(t, tn, shipgate.FormatPDF)); err != nil || got != tn {
			t.Errorf("pdf: %q, %v; want %q", got, err, tn)
		}
		if got, err := barcodescan.DecodeZPL(render(t, tn, shipgate.FormatZPL)); err != nil || got != tn {
			t.Errorf("zpl: %q, %v; want %q", got, err, tn)
		}
	}
}

func TestDecodeVertical(t *testing.T) {
	const tn = "SG4F7K2M9Q1X"
	z, err := document.Convert(shipgate.Document{Format: shipgate.FormatPNG, Data: render(t, tn, shipgate.FormatPNG)}, shipgate.FormatZPL)
	if err != nil {
		t.Fatal(err)
	}
	gf, err := barcodescan.ParseGF(z.Data)
	if err != nil {
		t.Fatal(err)
	}
	src := gf.Image
	w, h := src.Rect.Dx(), src.Rect.Dy()
	rot := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		for x := range w {
			rot.Pix[rot.PixOffset(y, w-1-x)] = src.Pix[src.PixOffset(x, y)]
		}
	}
	if got, err := barcodescan.Decode(rot); err != nil || got != tn {
		t.Errorf("vertical barcode: %q, %v; want %q", got, err, tn)
	}
}

func TestDecodeNothing(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 200, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if _, err := barcodescan.Decode(blank); !errors.Is(err, barcodescan.ErrNotFound) {
		t.Errorf("blank: err = %v, want ErrNotFound", err)
	}
	if _, err := barcodescan.DecodePNG([]byte("nope")); err == nil {
		t.Error("DecodePNG accepted garbage")
	}
	if _, err := barcodescan.DecodeGIF([]byte("nope")); err == nil {
		t.Error("DecodeGIF accepted garbage")
	}
	if _, err := barcodescan.DecodePDF([]byte("nope")); err == nil {
		t.Error("DecodePDF accepted garbage")
	}
}

func TestDecodeZPLEscapes(t *testing.T) {
	for zpl, want := range map[string]string{
		"^XA^FO10,10^BY2^BCN,100,N,N,N,A^FDAB12^FS^XZ":            "AB12",
		"^XA^FO10,10^BY2^BCN,100,N,N,N,A^FH_^FDA_5EB_7E_5F^FS^XZ": "A^B~_",
	} {
		if got, err := barcodescan.DecodeZPL([]byte(zpl)); err != nil || got != want {
			t.Errorf("DecodeZPL(%s) = %q, %v; want %q", zpl, got, err, want)
		}
	}
	for _, zpl := range []string{
		"^XA^BCN,100^FS^XZ",
		"^XA^BCN,100^FH_^FDA_5^FS^XZ",
		"^XA^BCN,100^FH_^FDA_ZZ^FS^XZ",
		"^XA^FO0,0^A0N,20,20^FDtext^FS^XZ",
	} {
		if got, err := barcodescan.DecodeZPL([]byte(zpl)); err == nil {
			t.Errorf("DecodeZPL(%s) = %q, want an error", zpl, got)
		}
	}
}

func TestParseGF(t *testing.T) {
	gf, err := barcodescan.ParseGF([]byte("^XA^FO0,0^GFA,4,4,2,FF00\n00 81^FS^XZ"))
	if err != nil {
		t.Fatal(err)
	}
	if gf.Total != 4 || gf.BytesPerRow != 2 || gf.Rows != 2 || gf.Image.Rect.Dx() != 16 || gf.Image.Rect.Dy() != 2 {
		t.Fatalf("ParseGF = %+v", gf)
	}
	var rows []string
	for y := range 2 {
		var b strings.Builder
		for x := range 16 {
			if gf.Image.GrayAt(x, y).Y == 0 {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		rows = append(rows, b.String())
	}
	if got := strings.Join(rows, "|"); got != "########........|........#......#" {
		t.Errorf("bitmap = %s", got)
	}
	for _, bad := range []string{
		"^XA^XZ",
		"^GFA,4,5,2,FF00FF00^FS",
		"^GFA,5,5,2,FF00FF00FF^FS",
		"^GFA,4,4,2,FF00FF^FS",
		"^GFA,4,4,2,FF00FFGG^FS",
		"^GFA,4,4,2,:Z^FS",
		"^GFA,x,4,2,FF00FF00^FS",
		"^GFA,4,4^FS",
	} {
		if _, err := barcodescan.ParseGF([]byte(bad)); err == nil {
			t.Errorf("ParseGF(%s) accepted it", bad)
		}
	}
}
