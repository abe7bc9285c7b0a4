package dhl

import (
	"math"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
)

// DHL's limits from the spec's schemas: weights are numbers with
// multipleOf 0.001 and minimum 0.001 (kg when unitOfMeasurement is metric);
// dimensions are numbers with multipleOf 0.001 and minimum 0.001 (cm).
const (
	weightStep = 0.001
	// maxPlanDays is how far ahead plannedShippingDateAndTime may lie
	// ("not ... more than 10 days in the future").
	maxPlanDays = 10
)

// kilograms converts w to kg, rounded up to DHL's 0.001 kg step (a gram).
// Rounding up never declares less than the parcel weighs.
func kilograms(w shipgate.Weight) float64 {
	return ceilStep(w.In(shipgate.Kilogram), weightStep)
}

// centimeters converts d to whole centimetres, each rounded up. DHL measures
// volumetric weight on the cm figures it is given; rounding up to whole cm
// (as DHL's own measuring does) keeps the declared box at least as large as
// the real one.
func centimeters(d shipgate.Dimensions) (l, w, h float64) {
	l, w, h = d.In(shipgate.Centimeter)
	return ceilStep(l, 1), ceilStep(w, 1), ceilStep(h, 1)
}

// ceilStep rounds v up to a multiple of step, ignoring float noise below a
// millionth of a step (so 1.2 kg stays 1.2, not 1.201), and never below step.
func ceilStep(v, step float64) float64 {
	n := math.Ceil(v/step - 1e-6)
	if n < 1 {
		n = 1
	}
	// Round the product to 3 decimals so 1.134 marshals as 1.134, not 1.1340000000000001.
	return math.Round(n*step*1000) / 1000
}

// roundMoney rounds a money amount to DHL's 0.001 step for the wire.
func roundMoney(v float64) float64 { return math.Round(v*1000) / 1000 }

// plannedShipping returns DHL's plannedShippingDateAndTime for a shipment:
// "2019-08-04T14:00:31GMT+01:00" (the spec's example form). The ship date is
// Shipment.ShipDate, or today when it is empty. Today means one hour from now
// (DHL warns that the current time may arrive already in the past); a later
// day means noon that day. A past date, or one more than 10 days ahead, is an
// invalid_request: DHL refuses both.
func plannedShipping(s *shipgate.Shipment, now time.Time, loc *time.Location) (string, time.Time, error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	t := now.Add(time.Hour).Truncate(time.Second)
	if sd := strings.TrimSpace(s.ShipDate); sd != "" {
		day, err := time.ParseInLocation(shipgate.DateLayout, sd, loc)
		if err != nil {
			return "", time.Time{}, shipgate.FieldErrorf("shipment.ship_date", "%q is not a date (YYYY-MM-DD)", sd)
		}
		switch {
		case day.Before(today):
			return "", time.Time{}, shipgate.FieldErrorf("shipment.ship_date", "%s is in the past; DHL Express needs today or a later day", sd)
		case day.After(today.AddDate(0, 0, maxPlanDays)):
			return "", time.Time{}, shipgate.FieldErrorf("shipment.ship_date", "%s is more than %d days ahead; DHL Express plans shipments at most %d days ahead", sd, maxPlanDays, maxPlanDays)
		case day.After(today):
			t = day.Add(12 * time.Hour)
		}
	}
	return formatPlanned(t), t, nil
}

// formatPlanned writes t as DHL wants it: local date and time, then GMT and the offset.
func formatPlanned(t time.Time) string {
	return t.Format("2006-01-02T15:04:05") + "GMT" + t.Format("-07:00")
}
