package ups

import (
	"math"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate"
)

// units are the units UPS wants for a shipment: pounds and inches from the
// United States and Puerto Rico, kilograms and centimetres from anywhere
// else (UPS refuses KGS/IN and LBS/CM mixes).
type units struct {
	weight     shipgate.WeightUnit
	length     shipgate.LengthUnit
	weightCode codeDesc
	lengthCode codeDesc
}

func unitsFor(originCountry string) units {
	switch strings.ToUpper(strings.TrimSpace(originCountry)) {
	case "US", "PR":
		return units{shipgate.Pound, shipgate.Inch, codeDesc{"LBS", "Pounds"}, codeDesc{"IN", "Inches"}}
	}
	return units{shipgate.Kilogram, shipgate.Centimeter, codeDesc{"KGS", "Kilograms"}, codeDesc{"CM", "Centimeters"}}
}

// eps absorbs binary floating point noise before rounding up (1.2 kg must
// stay 1.2, not become 1.3).
const eps = 1e-9

// upsWeight converts w once, to u, rounded up to a tenth (UPS's precision;
// rounding down would under-declare), at least 0.1.
func upsWeight(w shipgate.Weight, u shipgate.WeightUnit) (string, bool) {
	v := w.In(u)
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return "", false
	}
	tenths := math.Ceil(v*10 - eps)
	if tenths < 1 {
		tenths = 1
	}
	return strconv.FormatFloat(tenths/10, 'f', 1, 64), true
}

// upsLength rounds a length up to a whole unit, at least 1.
func upsLength(v float64) (string, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return "", false
	}
	n := math.Ceil(v - eps)
	if n < 1 {
		n = 1
	}
	return strconv.FormatFloat(n, 'f', 0, 64), true
}
