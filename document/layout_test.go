package document

import (
	"image"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/shipgate/shipgate"
)

// backends returns the metrics of every backend.
func backends(t *testing.T) map[string]metrics {
	t.Helper()
	faces, err := newFaceCache()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]metrics{
		"png": faces,
		"zpl": zplMetrics{faces},
		"pdf": pdfMetrics{newPDF("t", time.Time{})},
	}
}

// TestLayoutFits lays out extreme labels for every backend: every line of
// text lies inside the label's margins and its own box, no two lines
// overlap, and nothing prints over the barcode or its quiet zones.
func TestLayoutFits(t *testing.T) {
	long := strings.Repeat("Wide words WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW ", 12)
	full := shipgate.Address{Name: long, Company: long, Street1: long, Street2: long, City: long, State: long, PostalCode: long, Country: long, Phone: long}
	labels := map[string]LabelData{
		"long": {Carrier: long, Service: long, From: full, To: full, TrackingNumber: "1Z999AA10123456784",
			Weight: shipgate.Weight{Value: 123456789.123, Unit: "kg"}, Reference: long, Parcel: 1 << 60, Parcels: -1 << 60, Routing: long},
		"empty": {TrackingNumber: "1"},
		"scripts": {Carrier: "ДХЛ", To: shipgate.Address{Name: "山田 太郎 山田 太郎 山田 太郎 山田 太郎 山田 太郎 山田 太郎 山田 太郎", Street1: "Ελληνικά", City: "Łódź"},
			TrackingNumber: "ABC", Reference: "📦📦📦"},
		"longest tracking": {TrackingNumber: strings.Repeat("A", 30)},
	}
	for lname, d := range labels {
		for bname, m := range backends(t) {
			t.Run(lname+"/"+bname, func(t *testing.T) {
				p, err := layout(d, m)
				if err != nil {
					t.Fatal(err)
				}
				bc := p.barcode
				if bc.module < 2 {
					t.Errorf("module width %d dots, want >= 2", bc.module)
				}
				barRect := image.Rect(bc.x-bc.quietWidth(), bc.y, bc.x+len(bc.modules)*bc.module+bc.quietWidth(), bc.y+bc.height)
				if barRect.Min.X < 0 || barRect.Max.X > WidthDots {
					t.Errorf("barcode with quiet zones %v leaves the label", barRect)
				}
				var rects []image.Rectangle
				for _, op := range p.texts {
					w := m.width(op.s, op.size, op.bold)
					r := image.Rect(op.x, op.y, op.x+w, op.y+op.size)
					if r.Min.X < margin || r.Max.X > WidthDots-margin || r.Min.Y < 0 || r.Max.Y > HeightDots-margin {
						t.Errorf("%q at %v leaves the printable area", op.s, r)
					}
					if r.Min.X < op.boxX || r.Max.X > op.boxX+op.boxW && op.boxW > 0 {
						t.Errorf("%q at %v leaves its box [%d, %d)", op.s, r, op.boxX, op.boxX+op.boxW)
					}
					if r.Overlaps(barRect) {
						t.Errorf("%q at %v prints over the barcode %v", op.s, r, barRect)
					}
					for _, o := range rects {
						if r.Overlaps(o) {
							t.Errorf("%q at %v overlaps text at %v", op.s, r, o)
						}
					}
					rects = append(rects, r)
					for _, b := range p.boxes {
						if br := image.Rect(b.x, b.y, b.x+b.w, b.y+b.h); r.Overlaps(br) {
							t.Errorf("%q at %v overlaps rule %v", op.s, r, br)
						}
					}
				}
			})
		}
	}
}

func TestModuleWidth(t *testing.T) {
	for _, tc := range []struct{ tn string }{{"1234567890"}, {"1Z999AA10123456784"}, {strings.Repeat("A", 30)}} {
		mods, err := encodeTracking(tc.tn)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := moduleWidth(len(mods))
		if !ok || m < 2 || (len(mods)+2*quietModules)*m > contentW {
			t.Errorf("%s: %d modules, module width %d, %v", tc.tn, len(mods), m, ok)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"  a \t\n b  ":               "a b",
		"x\x00y\x1bz":                "x y z",
		"bad\xffutf8":                "bad?utf8",
		"a\u202Eb\u200Bc":            "abc",
		"\u0301e":                    "e",
		"e\u0301":                    "e\u0301",
		"line\u2028sep":              "line sep",
		strings.Repeat("é", 500):     strings.Repeat("é", maxFieldRunes),
		"private\ue000use\U000F0000": "privateuse",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLatin1Clean(t *testing.T) {
	for in, want := range map[string]string{
		"Müller Straße €5 – “quoted”": "Müller Straße €5 – “quoted”",
		"Łódź Świętokrzyska":          "Lódz Swietokrzyska",
		"Şişli, İstanbul":             "Sisli, Istanbul",
		"Москва, ул. Тверская":        "Moskva, ul. Tverskaya",
		"Αθήνα":                       "Athina",
		"山田 📦":                        "?? ?",
		"e\u0301":                     "e",
	} {
		got := latin1Clean(in)
		if got != want {
			t.Errorf("latin1Clean(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if _, ok := cp1252Byte(r); !ok {
				t.Errorf("latin1Clean(%q) kept %q", in, r)
			}
		}
	}
	if got := toCP1252("Müller €"); got != "M\xfcller \x80" {
		t.Errorf("toCP1252 = %q", got)
	}
}

func TestWrap(t *testing.T) {
	w := func(s string) int { return utf8.RuneCountInString(s) } // one dot per rune
	for _, tc := range []struct {
		s        string
		width, n int
		want     []string
	}{
		{"one two three", 20, 2, []string{"one two three"}},
		{"one two three", 7, 2, []string{"one two", "three"}},
		{"one two three four", 7, 2, []string{"one two", "thre..."}},
		{"abcdefghij", 4, 3, []string{"abcd", "efgh", "ij"}},
		{"abcdefghijklmnop", 4, 2, []string{"abcd", "e..."}},
		{"", 4, 2, nil},
		{"abc", 2, 0, nil},
		{"abc", 0, 1, []string{""}},
	} {
		got := wrap(tc.s, tc.width, tc.n, w)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d, %d) = %q, want %q", tc.s, tc.width, tc.n, got, tc.want)
		}
		for _, l := range got {
			if w(l) > tc.width {
				t.Errorf("wrap(%q): line %q wider than %d", tc.s, l, tc.width)
			}
		}
	}
	if got := fit("abcdefgh", 6, w); got != "abc..." {
		t.Errorf("fit = %q", got)
	}
	if got := fit("abcdefgh", 2, w); got != "" {
		t.Errorf("fit too narrow = %q", got)
	}
}

func TestZPLField(t *testing.T) {
	for in, want := range map[string]string{
		"plain":      "^FDplain",
		"a^XZb":      "^FH_^FDa_5EXZb",
		"~JR":        "^FH_^FD_7EJR",
		"snake_case": "^FH_^FDsnake_5Fcase",
		"Zoë":        "^FDZoë",
	} {
		if got := zplField(in); got != want {
			t.Errorf("zplField(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRenderPDFStrict checks Render's PDFs against pdfcpu's strict
// validation (ValidatePDF is relaxed, for carriers' documents).
func TestRenderPDFStrict(t *testing.T) {
	d := LabelData{Carrier: "DHL", Service: "Express Worldwide", To: shipgate.Address{Name: "Zoë (test) \\ ÿ€"}, TrackingNumber: "1234567890"}
	pdf, err := Render(d, shipgate.FormatPDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := validatePDF(pdf, model.ValidationStrict); err != nil {
		t.Fatal(err)
	}
}
