package shipgate

import (
	"fmt"
	"math"
)

// WeightUnit is the unit of a Weight.
type WeightUnit string

// The weight units the API accepts.
const (
	Gram     WeightUnit = "g"
	Kilogram WeightUnit = "kg"
	Ounce    WeightUnit = "oz"
	Pound    WeightUnit = "lb"
)

// grams per unit, exact by definition (1 lb = 0.45359237 kg, 1 oz = 1/16 lb).
var gramsPer = map[WeightUnit]float64{
	Gram:     1,
	Kilogram: 1000,
	Ounce:    28.349523125,
	Pound:    453.59237,
}

// Valid reports whether u is a known weight unit.
func (u WeightUnit) Valid() bool { _, ok := gramsPer[u]; return ok }

// Weight is a mass with its unit. Units are converted once, in the adapter that
// needs another unit.
type Weight struct {
	Value float64    `json:"value" validate:"gt=0,lte=100000"`
	Unit  WeightUnit `json:"unit" validate:"required,oneof=g kg oz lb"`
}

// In returns the weight expressed in unit u.
func (w Weight) In(u WeightUnit) float64 {
	from, ok1 := gramsPer[w.Unit]
	to, ok2 := gramsPer[u]
	if !ok1 || !ok2 {
		return math.NaN()
	}
	if w.Unit == u {
		return w.Value
	}
	return w.Value * from / to
}

// String formats the weight as "2.5 lb".
func (w Weight) String() string { return fmt.Sprintf("%g %s", w.Value, w.Unit) }

// LengthUnit is the unit of Dimensions.
type LengthUnit string

// The length units the API accepts.
const (
	Centimeter LengthUnit = "cm"
	Inch       LengthUnit = "in"
)

var cmPer = map[LengthUnit]float64{Centimeter: 1, Inch: 2.54}

// Valid reports whether u is a known length unit.
func (u LengthUnit) Valid() bool { _, ok := cmPer[u]; return ok }

// Dimensions are a parcel's outside measurements with their unit.
type Dimensions struct {
	Length float64    `json:"length" validate:"gt=0,lte=10000"`
	Width  float64    `json:"width" validate:"gt=0,lte=10000"`
	Height float64    `json:"height" validate:"gt=0,lte=10000"`
	Unit   LengthUnit `json:"unit" validate:"required,oneof=cm in"`
}

// In returns length, width and height expressed in unit u.
func (d Dimensions) In(u LengthUnit) (l, w, h float64) {
	from, ok1 := cmPer[d.Unit]
	to, ok2 := cmPer[u]
	if !ok1 || !ok2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	if d.Unit == u {
		return d.Length, d.Width, d.Height
	}
	f := from / to
	return d.Length * f, d.Width * f, d.Height * f
}

// Parcel is one package of a shipment.
type Parcel struct {
	Weight     Weight      `json:"weight"`
	Dimensions *Dimensions `json:"dimensions,omitempty"`
	Reference  string      `json:"reference,omitempty" validate:"max=50"`
}
