package document

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// goFonts are the parsed Go fonts, shared by every render (parsed once; an
// *opentype.Font is safe for concurrent use, a font.Face is not).
var goFonts = sync.OnceValues(func() (*[2]*opentype.Font, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	return &[2]*opentype.Font{regular, bold}, nil
})

// faceKey identifies a face in a faceCache.
type faceKey struct {
	size int
	bold bool
}

// faceCache holds the faces of one render. It measures and draws text with
// the Go fonts and is not safe for concurrent use.
type faceCache struct {
	fonts *[2]*opentype.Font
	faces map[faceKey]font.Face
	buf   sfnt.Buffer
}

// newFaceCache returns a faceCache over the shared, parsed Go fonts.
func newFaceCache() (*faceCache, error) {
	f, err := goFonts()
	if err != nil {
		return nil, err
	}
	return &faceCache{fonts: f, faces: make(map[faceKey]font.Face)}, nil
}

// face returns the Go Regular or Go Bold face whose em is size dots, fully
// hinted so that thresholded text stays crisp.
func (c *faceCache) face(size int, bold bool) font.Face {
	k := faceKey{size, bold}
	if f, ok := c.faces[k]; ok {
		return f
	}
	i := 0
	if bold {
		i = 1
	}
	f, err := opentype.NewFace(c.fonts[i], &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// Only a nonsensical size fails; fall back rather than fail a label.
		f = basicfont.Face7x13
	}
	c.faces[k] = f
	return f
}

// has reports whether the Go fonts have a glyph for r.
func (c *faceCache) has(r rune) bool {
	i, err := c.fonts[0].GlyphIndex(&c.buf, r)
	return err == nil && i != 0
}

// clean replaces the characters that the Go fonts lack by an ASCII
// transliteration (or '?').
func (c *faceCache) clean(s string) string {
	ok := true
	for _, r := range s {
		if !c.has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case c.has(r):
			b = append(b, r)
		case isMark(r):
			// A combining mark the font lacks: keep the base letter alone.
		default:
			b = append(b, []rune(translit(r))...)
		}
	}
	return string(b)
}

// width measures s in dots.
func (c *faceCache) width(s string, size int, bold bool) int {
	return font.MeasureString(c.face(size, bold), s).Ceil()
}
