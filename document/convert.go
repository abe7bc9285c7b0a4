package document

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"strings"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/shipgate/shipgate"
)

// maxImagePixels bounds the images Convert decodes (a 4 x 6 label at 600 dpi
// is 8.6 million pixels), so that a hostile header cannot make it allocate
// gigabytes.
const maxImagePixels = 40_000_000

// Convert returns doc in format to.
//
// Possible conversions: a format to itself (doc is returned unchanged); png
// and gif to zpl (the image as a ^GF graphic field, black and white, fitted
// to 812 x 1218 dots); png and gif to pdf (one 4 x 6 inch page holding the
// image); gif to png and png to gif. Images are turned to portrait when they
// are landscape, scaled by the largest whole factor that fits (or shrunk to
// fit when larger than the label) and centred. Colour is not kept: labels
// are black and white.
//
// A pdf or zpl document cannot be turned into anything else without a page
// renderer: Convert returns a *shipgate.Error with CodeUnsupported, as it does
// for an unknown format. A document whose data is empty or cannot be decoded
// as its format is CodeInvalidRequest.
func Convert(doc shipgate.Document, to shipgate.LabelFormat) (shipgate.Document, error) {
	if doc.Format == to && known(to) {
		return doc, nil
	}
	if !known(doc.Format) || !known(to) {
		return shipgate.Document{}, shipgate.Errorf(shipgate.CodeUnsupported,
			"document: cannot convert a %q label to %q: the label formats are pdf, zpl, png and gif", string(doc.Format), string(to))
	}
	switch doc.Format {
	case shipgate.FormatPDF:
		return shipgate.Document{}, shipgate.Errorf(shipgate.CodeUnsupported,
			"document: cannot convert a pdf label to %s: that needs a PDF renderer, which shipgate does not include; ask the carrier for %s instead", to, to)
	case shipgate.FormatZPL:
		return shipgate.Document{}, shipgate.Errorf(shipgate.CodeUnsupported,
			"document: cannot convert a zpl label to %s: that needs a ZPL renderer (a printer emulator), which shipgate does not include; ask the carrier for %s instead", to, to)
	}
	img, err := decodeImage(doc)
	if err != nil {
		return shipgate.Document{}, err
	}
	out := shipgate.Document{Format: to, Size: doc.Size}
	if out.Size == "" {
		out.Size = Size
	}
	switch to {
	case shipgate.FormatPNG:
		out.Data, err = encodePNG(img)
	case shipgate.FormatGIF:
		out.Data, err = encodeGIF(img)
	case shipgate.FormatZPL:
		out.Data = imageZPL(img)
	case shipgate.FormatPDF:
		out.Data, err = imagePDF(img)
	}
	if err != nil {
		return shipgate.Document{}, err
	}
	return out, nil
}

// known reports whether f is one of the four label formats.
func known(f shipgate.LabelFormat) bool {
	switch f {
	case shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatGIF:
		return true
	}
	return false
}

// decodeImage decodes a png or gif document (the first frame of a GIF),
// refusing empty data, another format and images too large to be labels.
func decodeImage(doc shipgate.Document) (image.Image, error) {
	bad := func(err error, why string) error {
		return &shipgate.Error{Code: shipgate.CodeInvalidRequest, Message: fmt.Sprintf("document: the %s label %s", doc.Format, why), Err: err}
	}
	if len(doc.Data) == 0 {
		return nil, bad(nil, "is empty")
	}
	var (
		cfg image.Config
		err error
	)
	if doc.Format == shipgate.FormatGIF {
		cfg, err = gif.DecodeConfig(bytes.NewReader(doc.Data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(doc.Data))
	}
	if err != nil {
		return nil, bad(err, "cannot be decoded")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImagePixels/cfg.Height {
		return nil, bad(nil, fmt.Sprintf("is %d x %d pixels, not a label image", cfg.Width, cfg.Height))
	}
	var img image.Image
	if doc.Format == shipgate.FormatGIF {
		img, err = gif.Decode(bytes.NewReader(doc.Data))
	} else {
		img, err = png.Decode(bytes.NewReader(doc.Data))
	}
	if err != nil {
		return nil, bad(err, "cannot be decoded")
	}
	return img, nil
}

// encodePNG writes img as PNG, unchanged.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot encode the png label", Err: err}
	}
	return buf.Bytes(), nil
}

// grays is the palette of a gray image written as GIF.
var grays = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// encodeGIF writes img as GIF: a paletted image as it is, any other as 256
// grays (no dithering, which would blur barcodes).
func encodeGIF(img image.Image) ([]byte, error) {
	p, ok := img.(*image.Paletted)
	if !ok || len(p.Palette) > 256 || len(p.Palette) == 0 {
		g := toGray(img)
		p = &image.Paletted{Pix: g.Pix, Stride: g.Stride, Rect: g.Rect, Palette: grays}
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, p, nil); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot encode the gif label", Err: err}
	}
	return buf.Bytes(), nil
}

// toGray returns img as gray levels, composited over white.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:][:b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()])
		}
		return out
	case *image.Paletted:
		lum := make([]uint8, 256)
		for i, c := range src.Palette {
			lum[i] = grayOf(c)
		}
		for y := 0; y < b.Dy(); y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()]
			dst := out.Pix[y*out.Stride:][:b.Dx()]
			for x, i := range row {
				dst[x] = lum[i]
			}
		}
		return out
	}
	for y := 0; y < b.Dy(); y++ {
		dst := out.Pix[y*out.Stride:][:b.Dx()]
		for x := range dst {
			dst[x] = grayOf(img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// grayOf is the Rec. 601 luma of c composited over white.
func grayOf(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	white := 0xffff - a
	y := (299*(r+white) + 587*(g+white) + 114*(b+white)) / 1000
	return uint8(min(y, 0xffff) >> 8)
}

// portrait returns g turned 90 degrees clockwise when it is landscape.
func portrait(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w <= h {
		return g
	}
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		row := g.Pix[y*g.Stride:][:w]
		for x, v := range row {
			// (x, y) goes to (h-1-y, x).
			out.Pix[x*out.Stride+h-1-y] = v
		}
	}
	return out
}

// fitFactor returns the label dots per image pixel for a w x h image: the
// largest whole number that fits, or the fraction that shrinks a larger image
// to fit.
func fitFactor(w, h int) float64 {
	s := math.Min(float64(WidthDots)/float64(w), float64(HeightDots)/float64(h))
	if s >= 1 {
		return math.Floor(s)
	}
	return s
}

// fitLabel turns img into gray levels at 203 dpi: portrait, scaled by
// fitFactor (nearest neighbour for whole factors, so bars stay sharp;
// bilinear when shrinking).
func fitLabel(img image.Image) *image.Gray {
	g := portrait(toGray(img))
	w, h := g.Rect.Dx(), g.Rect.Dy()
	s := fitFactor(w, h)
	if s == 1 {
		return g
	}
	dw := max(1, min(WidthDots, int(math.Round(float64(w)*s))))
	dh := max(1, min(HeightDots, int(math.Round(float64(h)*s))))
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	if s > 1 {
		xdraw.NearestNeighbor.Scale(out, out.Rect, g, g.Rect, xdraw.Src, nil)
	} else {
		xdraw.BiLinear.Scale(out, out.Rect, g, g.Rect, xdraw.Src, nil)
	}
	return out
}

// imageZPL returns a ZPL label printing img as one ^GF graphic field,
// thresholded to black and white and centred on the 812 x 1218 dot label.
func imageZPL(img image.Image) []byte {
	g := fitLabel(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bpr := (w + 7) / 8
	total := bpr * h
	var b strings.Builder
	b.Grow(2*total + 128)
	fmt.Fprintf(&b, "^XA\n^PW%d\n^LL%d\n^LH0,0\n^FO%d,%d^GFA,%d,%d,%d,", WidthDots, HeightDots, (WidthDots-w)/2, (HeightDots-h)/2, total, total, bpr)
	const hexDigits = "0123456789ABCDEF"
	row := make([]byte, bpr)
	for y := range h {
		clear(row)
		for x, v := range g.Pix[y*g.Stride:][:w] {
			if v < 0x80 {
				row[x>>3] |= 0x80 >> (x & 7)
			}
		}
		for _, c := range row {
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
		}
	}
	b.WriteString("^FS\n^XZ\n")
	return []byte(b.String())
}

// imagePDF returns a one-page 4 x 6 inch PDF showing img, fitted and centred
// like imageZPL: an image made for 203 dpi (812 x 1218) fills the page at
// one pixel per printer dot.
func imagePDF(img image.Image) ([]byte, error) {
	g := portrait(toGray(img))
	w, h := g.Rect.Dx(), g.Rect.Dy()
	s := fitFactor(w, h) * ptPerDot
	var enc image.Image = g
	if bi := twoTone(g); bi != nil {
		enc = bi // 1-bit: a much smaller file, the same picture
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, enc); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot encode the label image", Err: err}
	}
	pdf := newPDF("Shipping label", time.Time{})
	opts := fpdfPNG
	pdf.RegisterImageOptionsReader("label", opts, &buf)
	pw, ph := float64(w)*s, float64(h)*s
	pdf.ImageOptions("label", (WidthPt-pw)/2, (HeightPt-ph)/2, pw, ph, false, opts, 0, "")
	return outputPDF(pdf)
}

// twoTone returns g as a black and white paletted image when every pixel of
// g is pure black or pure white, else nil.
func twoTone(g *image.Gray) *image.Paletted {
	for _, v := range g.Pix {
		if v != 0 && v != 0xff {
			return nil
		}
	}
	p := image.NewPaletted(g.Rect, bw)
	for i, v := range g.Pix {
		if v == 0 {
			p.Pix[i] = 1
		}
	}
	return p
}
