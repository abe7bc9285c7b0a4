package document

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate"
)

// zplMetrics measures text for ZPL's scalable font 0 (CG Triumvirate Bold
// Condensed) with the wider Go Bold, so that text measured to fit does fit on
// the printer. Text stays UTF-8 (^CI28).
type zplMetrics struct{ faces *faceCache }

func (m zplMetrics) clean(s string) string { return s }

func (m zplMetrics) width(s string, size int, _ bool) int { return m.faces.width(s, size, true) }

// renderZPL renders d as native ZPL II for a 203 dpi printer.
func renderZPL(d LabelData) ([]byte, error) {
	faces, err := newFaceCache()
	if err != nil {
		return nil, shipgate.AsError(err)
	}
	p, err := layout(d, zplMetrics{faces})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(2048)
	fmt.Fprintf(&b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", WidthDots, HeightDots)
	for _, x := range p.boxes {
		fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", x.x, x.y, x.w, x.h, min(x.w, x.h))
	}
	for _, t := range p.texts {
		switch t.al {
		case alignLeft:
			fmt.Fprintf(&b, "^FO%d,%d^A0N,%d,%d%s^FS\n", t.x, t.y, t.size, t.size, zplField(t.s))
		default:
			// A one-line field block aligns the text on the printer, whose
			// font is narrower than the one it was measured with. In a
			// field block "\&" breaks the line and "\\" is one backslash.
			j := "R"
			if t.al == alignCenter {
				j = "C"
			}
			fmt.Fprintf(&b, "^FO%d,%d^A0N,%d,%d^FB%d,1,0,%s%s^FS\n", t.boxX, t.y, t.size, t.size, t.boxW, j,
				zplField(strings.ReplaceAll(t.s, `\`, `\\`)))
		}
	}
	bc := p.barcode
	// ^BC mode A: the printer picks the code subsets itself, and no
	// character of the data is an invocation code.
	fmt.Fprintf(&b, "^FO%d,%d^BY%d^BCN,%d,N,N,N,A%s^FS\n", bc.x, bc.y, bc.module, bc.height, zplField(bc.data))
	b.WriteString("^XZ\n")
	return b.Bytes(), nil
}

// zplField returns the ^FD command carrying s. The ZPL command prefixes '^'
// and '~' (and '_', the hex indicator) are written as ^FH hexadecimal escapes,
// so that no text can end the field or inject a command.
func zplField(s string) string {
	if !strings.ContainsAny(s, "^~_") {
		return "^FD" + s
	}
	var b strings.Builder
	b.WriteString("^FH_^FD")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^', '~', '_':
			fmt.Fprintf(&b, "_%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
