package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFieldRunes bounds every text field before it is measured, so that a
// pathological input costs no more than a long address line.
const maxFieldRunes = 200

// ellipsis marks text cut to fit; ASCII so that every backend can print it.
const ellipsis = "..."

// sanitize removes what a label must never print: control and format
// characters (including bidi overrides), invalid UTF-8 (replaced by '?'), and
// runs of white space (collapsed to one space). It keeps at most
// maxFieldRunes runes.
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*maxFieldRunes))
	n := 0
	space := false
	for _, r := range s {
		if n >= maxFieldRunes {
			break
		}
		switch {
		case r == utf8.RuneError:
			// Invalid byte or a literal U+FFFD: both print as '?'.
			r = '?'
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) ||
			unicode.Is(unicode.Mn, r) && b.Len() == 0:
			// Format (zero-width, bidi), private-use characters, and a
			// combining mark with nothing to combine with.
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cp1252High maps the Unicode characters that Windows-1252 puts at 0x80-0x9F
// to their byte.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// cp1252Byte returns the Windows-1252 byte of r, if it has one.
func cp1252Byte(r rune) (byte, bool) {
	switch {
	case r >= 0x20 && r < 0x7F, r >= 0xA0 && r <= 0xFF:
		return byte(r), true
	}
	b, ok := cp1252High[r]
	return b, ok
}

// toCP1252 encodes s, which must hold only runes accepted by cp1252Byte (see
// latin1Clean), as Windows-1252 bytes; any other rune becomes '?'.
func toCP1252(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := cp1252Byte(r)
		if !ok {
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}

// latinExtA holds the base letter of each character of Latin Extended-A
// (U+0100-U+017F), for transliteration.
const latinExtA = "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "IiIiJjKkkLlLlLlL" +
	"lLlNnNnNnnNnOoOo" + "OoOoRrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"

// translitMore transliterates characters outside Latin Extended-A: other
// Latin letters, Greek, Cyrillic and common punctuation.
var translitMore = map[rune]string{
	'Ĳ': "IJ", 'ĳ': "ij", 'Ș': "S", 'ș': "s", 'Ț': "T", 'ț': "t", 'Ə': "E", 'ə': "e",
	'Ơ': "O", 'ơ': "o", 'Ư': "U", 'ư': "u", 'ẞ': "SS",
	'‐': "-", '‑': "-", '‒': "-", '―': "-", '−': "-", '′': "'", '″': "\"", '№': "No",
	// Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Bulgarian).
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "Yo", 'Ж': "Zh",
	'З': "Z", 'И': "I", 'Й': "Y", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O",
	'П': "P", 'Р': "R", 'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "Kh", 'Ц': "Ts",
	'Ч': "Ch", 'Ш': "Sh", 'Щ': "Shch", 'Ъ': "", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "Yu",
	'Я': "Ya", 'Є': "Ye", 'І': "I", 'Ї': "Yi", 'Ґ': "G", 'Ў': "U", 'Ђ': "Dj", 'Ј': "J",
	'Љ': "Lj", 'Њ': "Nj", 'Ћ': "C", 'Џ': "Dz",
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j",
	'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz",
	// Greek.
	'Α': "A", 'Β': "V", 'Γ': "G", 'Δ': "D", 'Ε': "E", 'Ζ': "Z", 'Η': "I", 'Θ': "Th",
	'Ι': "I", 'Κ': "K", 'Λ': "L", 'Μ': "M", 'Ν': "N", 'Ξ': "X", 'Ο': "O", 'Π': "P",
	'Ρ': "R", 'Σ': "S", 'Τ': "T", 'Υ': "Y", 'Φ': "F", 'Χ': "Ch", 'Ψ': "Ps", 'Ω': "O",
	'Ά': "A", 'Έ': "E", 'Ή': "I", 'Ί': "I", 'Ό': "O", 'Ύ': "Y", 'Ώ': "O",
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps",
	'ω': "o", 'ά': "a", 'έ': "e", 'ή': "i", 'ί': "i", 'ό': "o", 'ύ': "y", 'ώ': "o",
	'ϊ': "i", 'ϋ': "y", 'ΐ': "i", 'ΰ': "y",
}

// translit returns an ASCII spelling of r for fonts that lack it: the base
// letter of an accented Latin letter, a romanization of Greek and Cyrillic,
// '-' for dashes, ' ' for spaces, and "?" for anything else.
func translit(r rune) string {
	if r >= 0x100 && r <= 0x17F {
		if s, ok := translitMore[r]; ok {
			return s
		}
		return latinExtA[r-0x100 : r-0x100+1]
	}
	if s, ok := translitMore[r]; ok {
		return s
	}
	if unicode.IsSpace(r) {
		return " "
	}
	if unicode.Is(unicode.Pd, r) {
		return "-"
	}
	return "?"
}

// latin1Clean returns s (already sanitized) with every character that
// Windows-1252 cannot hold transliterated, for the PDF core fonts. A
// combining mark is dropped (the base letter stays).
func latin1Clean(s string) string {
	ok := true
	for _, r := range s {
		if _, in := cp1252Byte(r); !in {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, in := cp1252Byte(r); in {
			b.WriteRune(r)
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteString(translit(r))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// measureFunc returns the width of s in printer dots.
type measureFunc func(s string) int

// fit returns s if it fits in width, else its longest prefix followed by
// an ellipsis that does (possibly just the ellipsis, or "" when not even that
// fits).
func fit(s string, width int, w measureFunc) string {
	if w(s) <= width {
		return s
	}
	return ellipsize(s, width, w)
}

// ellipsize cuts s so that s' + "..." fits in width.
func ellipsize(s string, width int, w measureFunc) string {
	runes := []rune(s)
	// Binary search for the longest prefix p with w(p + ellipsis) <= width.
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w(strings.TrimRight(string(runes[:mid]), " ")+ellipsis) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	p := strings.TrimRight(string(runes[:lo]), " ")
	if w(p+ellipsis) > width {
		return ""
	}
	return p + ellipsis
}

// longestPrefix returns the number of leading runes of s that fit in width,
// at least 1 when s is not empty so that wrapping always advances.
func longestPrefix(runes []rune, width int, w measureFunc) int {
	lo, hi := 1, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w(string(runes[:mid])) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// wrap breaks s into at most maxLines lines no wider than width, at spaces
// where it can and inside words that are too long by themselves. When the
// text needs more lines, the last one ends with an ellipsis.
func wrap(s string, width, maxLines int, w measureFunc) []string {
	if maxLines <= 0 || s == "" {
		return nil
	}
	var lines []string
	cur := ""
	more := false
	for _, word := range strings.Fields(s) {
		if len(lines) >= maxLines {
			more = true
			break
		}
		cand := word
		if cur != "" {
			cand = cur + " " + word
		}
		if w(cand) <= width {
			cur = cand
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		cur = word
		for cur != "" && w(cur) > width && len(lines) < maxLines {
			runes := []rune(cur)
			n := longestPrefix(runes, width, w)
			lines = append(lines, string(runes[:n]))
			cur = string(runes[n:])
		}
	}
	if cur != "" {
		if len(lines) >= maxLines {
			more = true
		} else {
			lines = append(lines, cur)
		}
	}
	if more {
		last := lines[len(lines)-1]
		if w(last+ellipsis) <= width {
			lines[len(lines)-1] = last + ellipsis
		} else {
			lines[len(lines)-1] = ellipsize(last, width, w)
		}
	}
	for i, l := range lines {
		lines[i] = fit(l, width, w)
	}
	return lines
}

// isMark reports whether r is a combining mark.
func isMark(r rune) bool { return unicode.Is(unicode.Mn, r) }
