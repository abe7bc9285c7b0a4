// Package barcodescan reads back the Code 128 barcode of a label, so that
// tests can check that what shipgate prints scans: from an image, a PNG, a
// GIF, the images embedded in a PDF, or a ZPL label (the data of its ^BC
// barcode, or the barcode inside a ^GF graphic field).
//
// It is the only package importing github.com/makiuchi-d/gozxing, and is
// meant for tests.
package barcodescan

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"strconv"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/shipgate/shipgate/document"
)

// ErrNotFound is returned when no Code 128 barcode could be decoded.
var ErrNotFound = errors.New("barcodescan: no Code 128 barcode found")

// pad is the white border added around an image before decoding, so that a
// barcode cropped to its bars still has quiet zones.
const pad = 32

// Decode returns the text of the Code 128 barcode in img, horizontal or
// vertical, or an error wrapping ErrNotFound.
func Decode(img image.Image) (string, error) {
	g := padded(img)
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	// Fast path: the gray bytes as they are (no rotation support).
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, w, h, 0, 0, w, h, false)
	if err == nil {
		if s, err := decode(src, hints); err == nil {
			return s, nil
		}
	}
	// Slow path: a source that can turn, for vertical barcodes.
	s, err := decode(gozxing.NewLuminanceSourceFromImage(g), hints)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return s, nil
}

func decode(src gozxing.LuminanceSource, hints map[gozxing.DecodeHintType]any) (string, error) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", err
	}
	res, err := oned.NewCode128Reader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// padded returns img as gray levels (composited over white) inside a white
// border of pad pixels.
func padded(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx()+2*pad, b.Dy()+2*pad))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	var lum [256]uint8
	pal, isPal := img.(*image.Paletted)
	if isPal {
		for i, c := range pal.Palette {
			lum[i] = color.GrayModel.Convert(over(c)).(color.Gray).Y
		}
	}
	for y := 0; y < b.Dy(); y++ {
		dst := g.Pix[g.PixOffset(pad, pad+y):][:b.Dx()]
		switch src := img.(type) {
		case *image.Gray:
			copy(dst, src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()])
		case *image.Paletted:
			for x, i := range src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()] {
				dst[x] = lum[i]
			}
		case *image.NRGBA: // what pdfcpu extracts
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range dst {
				p := row[4*x : 4*x+4]
				l := (299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2])) / 1000
				dst[x] = uint8((l*uint32(p[3]) + 255*(255-uint32(p[3]))) / 255)
			}
		default:
			for x := range dst {
				dst[x] = color.GrayModel.Convert(over(img.At(b.Min.X+x, b.Min.Y+y))).(color.Gray).Y
			}
		}
	}
	return g
}

// over composites c over white.
func over(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	w := 0xffff - a
	return color.RGBA64{R: uint16(r + w), G: uint16(g + w), B: uint16(b + w), A: 0xffff}
}

// DecodePNG decodes the barcode of a PNG image.
func DecodePNG(b []byte) (string, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("barcodescan: not a PNG: %w", err)
	}
	return Decode(img)
}

// DecodeGIF decodes the barcode of a GIF image (its first frame).
func DecodeGIF(b []byte) (string, error) {
	img, err := gif.Decode(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("barcodescan: not a GIF: %w", err)
	}
	return Decode(img)
}

// DecodePDF decodes the first barcode found in the images embedded in a PDF.
func DecodePDF(b []byte) (string, error) {
	imgs, err := document.ExtractImages(b)
	if err != nil {
		return "", err
	}
	for _, img := range imgs {
		if s, err := Decode(img); err == nil {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w in the %d images of the PDF", ErrNotFound, len(imgs))
}

// DecodeZPL returns the data of the first ^BC (Code 128) field of a ZPL
// label, with ^FH hexadecimal escapes resolved; a label without one is read
// through its first ^GF graphic field (see ParseGF).
func DecodeZPL(b []byte) (string, error) {
	s := string(b)
	if i := strings.Index(s, "^BC"); i >= 0 {
		rest := s[i:]
		fd := strings.Index(rest, "^FD")
		fs := strings.Index(rest, "^FS")
		if fd < 0 || fs < fd {
			return "", fmt.Errorf("barcodescan: ^BC without ^FD...^FS")
		}
		data := rest[fd+3 : fs]
		if strings.Contains(rest[:fd], "^FH") {
			return unescapeFH(data, '_')
		}
		return data, nil
	}
	gf, err := ParseGF(b)
	if err != nil {
		return "", err
	}
	return Decode(gf.Image)
}

// unescapeFH resolves the ^FH escapes (indicator followed by two hex digits).
func unescapeFH(s string, ind byte) (string, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != ind {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("barcodescan: truncated ^FH escape in %q", s)
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("barcodescan: bad ^FH escape in %q", s)
		}
		out = append(out, byte(v))
		i += 2
	}
	return string(out), nil
}

// GF is a decoded ^GFA graphic field.
type GF struct {
	// Total is the field's byte count (both byte counts of ^GFA must agree),
	// BytesPerRow the bytes of one row; Rows = Total / BytesPerRow.
	Total, BytesPerRow, Rows int
	// Image is the bitmap, 8 pixels per byte, black where a bit is 1.
	Image *image.Gray
}

// ParseGF returns the first ^GFA graphic field of a ZPL label, its bitmap as
// a black and white image. Only uncompressed ASCII hex data is read; the
// field must be consistent: equal byte counts, a whole number of rows and
// exactly two hex digits per byte.
func ParseGF(zpl []byte) (*GF, error) {
	s := string(zpl)
	i := strings.Index(s, "^GFA,")
	if i < 0 {
		return nil, fmt.Errorf("barcodescan: no ^GFA graphic field")
	}
	s = s[i+len("^GFA,"):]
	parts := strings.SplitN(s, ",", 4)
	if len(parts) != 4 {
		return nil, fmt.Errorf("barcodescan: ^GFA needs 4 parameters")
	}
	var n [3]int
	for k := range n {
		v, err := strconv.Atoi(parts[k])
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("barcodescan: ^GFA parameter %d is %q", k+2, parts[k])
		}
		n[k] = v
	}
	total, total2, bpr := n[0], n[1], n[2]
	if total != total2 {
		return nil, fmt.Errorf("barcodescan: ^GFA byte counts differ: %d and %d", total, total2)
	}
	if total%bpr != 0 {
		return nil, fmt.Errorf("barcodescan: ^GFA total %d is not a multiple of %d bytes per row", total, bpr)
	}
	data := parts[3]
	if end := strings.IndexAny(data, "^~"); end >= 0 {
		data = data[:end]
	}
	data = strings.Join(strings.Fields(data), "")
	if len(data) != 2*total {
		return nil, fmt.Errorf("barcodescan: ^GFA holds %d hex digits, want %d (compressed data is not supported)", len(data), 2*total)
	}
	raw, err := hex.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("barcodescan: ^GFA data: %w", err)
	}
	rows := total / bpr
	img := image.NewGray(image.Rect(0, 0, bpr*8, rows))
	for y := range rows {
		for x := range bpr * 8 {
			c := color.Gray{Y: 0xff}
			if raw[y*bpr+x/8]&(0x80>>(x%8)) != 0 {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return &GF{Total: total, BytesPerRow: bpr, Rows: rows, Image: img}, nil
}
