package document

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/shipgate/shipgate"
)

// bw is the palette of every image this package writes: white, black.
var bw = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}

// pngEncoder compresses fast: label images are mostly white and the default
// level buys little.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// renderRaster renders d as an 812 x 1218 black and white PNG or GIF.
func renderRaster(d LabelData, f shipgate.LabelFormat) ([]byte, error) {
	faces, err := newFaceCache()
	if err != nil {
		return nil, shipgate.AsError(err)
	}
	p, err := layout(d, faces)
	if err != nil {
		return nil, err
	}
	img := rasterize(p, faces)
	return encodeImage(img, f)
}

// encodeImage writes img as PNG or GIF.
func encodeImage(img *image.Paletted, f shipgate.LabelFormat) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if f == shipgate.FormatGIF {
		err = gif.Encode(&buf, img, nil)
	} else {
		err = pngEncoder.Encode(&buf, img)
	}
	if err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot encode the label image", Err: err}
	}
	return buf.Bytes(), nil
}

// rasterize draws p at 203 dpi: text antialiased into a gray image, then
// thresholded to black and white so that the printer gets crisp edges.
func rasterize(p *page, faces *faceCache) *image.Paletted {
	r := image.Rect(0, 0, WidthDots, HeightDots)
	g := image.NewGray(r)
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	for _, b := range p.boxes {
		fillGray(g, image.Rect(b.x, b.y, b.x+b.w, b.y+b.h))
	}
	for _, t := range p.texts {
		face := faces.face(t.size, t.bold)
		dr := font.Drawer{Dst: g, Src: image.Black, Face: face}
		dr.Dot = fixed.P(t.x, t.y+textAscent(t.size))
		dr.DrawString(t.s)
	}
	b := p.barcode
	for i, dark := range b.modules {
		if dark {
			x := b.x + i*b.module
			fillGray(g, image.Rect(x, b.y, x+b.module, b.y+b.height))
		}
	}
	return threshold(g)
}

// textAscent is the distance in dots from the top of a line's box to its
// baseline, the same for every backend so that they agree on the layout.
func textAscent(size int) int { return size * 9 / 10 }

// fillGray paints r black.
func fillGray(g *image.Gray, r image.Rectangle) {
	r = r.Intersect(g.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.Pix[g.PixOffset(r.Min.X, y):g.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = 0
		}
	}
}

// threshold turns g into a two-colour (white, black) paletted image: darker
// than mid-gray is black.
func threshold(g *image.Gray) *image.Paletted {
	out := image.NewPaletted(g.Rect, bw)
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		src := g.Pix[g.PixOffset(g.Rect.Min.X, y):][:g.Rect.Dx()]
		dst := out.Pix[out.PixOffset(g.Rect.Min.X, y):][:g.Rect.Dx()]
		for i, v := range src {
			if v < 0x80 {
				dst[i] = 1
			}
		}
	}
	return out
}
