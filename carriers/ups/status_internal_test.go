package ups

import (
	"testing"

	"github.com/shipgate/shipgate"
)

// TestStatusMapping lists every UPS status this adapter maps, and how.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		typ, code, statusCode string
		want                  shipgate.Status
	}{
		// 3-digit status codes (the most precise), whatever the type says.
		{"M", "MP", "003", shipgate.StatusPreTransit},
		{"I", "DP", "005", shipgate.StatusInTransit},
		{"I", "AR", "005", shipgate.StatusInTransit},
		{"I", "OC", "005", shipgate.StatusInTransit},
		{"M", "VP", "007", shipgate.StatusCancelled},
		{"D", "FS", "011", shipgate.StatusDelivered},
		{"I", "YO", "012", shipgate.StatusInTransit},
		{"X", "", "013", shipgate.StatusDelayed},
		{"X", "", "016", shipgate.StatusOnHold},
		{"X", "ZQ", "017", shipgate.StatusAvailableForPickup},
		{"I", "OT", "021", shipgate.StatusOutForDelivery},
		{"X", "VM", "028", shipgate.StatusInTransit},
		{"P", "PU", "038", shipgate.StatusInTransit},
		{"D", "ZP", "040", shipgate.StatusAvailableForPickup},
		{"I", "YP", "071", shipgate.StatusInTransit},
		{"I", "OF", "072", shipgate.StatusOutForDelivery},
		{"", "", "011", shipgate.StatusDelivered},
		// Activity codes whose meaning the type does not carry.
		{"I", "OT", "", shipgate.StatusOutForDelivery},
		{"I", "OF", "", shipgate.StatusOutForDelivery},
		{"M", "MV", "", shipgate.StatusCancelled},
		{"M", "VP", "", shipgate.StatusCancelled},
		{"", "ot", "", shipgate.StatusOutForDelivery},
		// Status types, when nothing more precise is known.
		{"M", "", "", shipgate.StatusPreTransit},
		{"MV", "", "", shipgate.StatusCancelled},
		{"P", "", "", shipgate.StatusInTransit},
		{"I", "", "", shipgate.StatusInTransit},
		{"O", "", "", shipgate.StatusOutForDelivery},
		{"D", "", "", shipgate.StatusDelivered},
		{"X", "", "", shipgate.StatusDelayed},
		{"RS", "", "", shipgate.StatusReturnToSender},
		{"DO", "", "", shipgate.StatusInTransit},
		{"DD", "", "", shipgate.StatusInTransit},
		{"W", "", "", shipgate.StatusOnHold},
		{"NA", "", "", shipgate.StatusUnknown},
		{" d ", "", "", shipgate.StatusDelivered},
		// Unknown codes are unknown, never guessed.
		{"I", "ZZ", "999", shipgate.StatusInTransit}, // the type still speaks
		{"Q", "ZZ", "999", shipgate.StatusUnknown},
		{"", "", "", shipgate.StatusUnknown},
		{"U", "", "", shipgate.StatusUnknown},
	}
	for _, tt := range tests {
		if got := statusFor(tt.typ, tt.code, tt.statusCode); got != tt.want {
			t.Errorf("statusFor(%q, %q, %q) = %s, want %s", tt.typ, tt.code, tt.statusCode, got, tt.want)
		}
	}
	// Every entry of the tables maps onto a valid status and is covered above.
	covered := map[string]bool{}
	for _, tt := range tests {
		covered["s"+tt.statusCode] = true
		covered["c"+tt.code] = true
		covered["t"+tt.typ] = true
	}
	for k, v := range statusByStatusCode {
		if !v.Valid() || !covered["s"+k] {
			t.Errorf("status code %s (%s) is not tested", k, v)
		}
	}
	for k, v := range statusByActivityCode {
		if !v.Valid() || !covered["c"+k] {
			t.Errorf("activity code %s (%s) is not tested", k, v)
		}
	}
	for k, v := range statusByType {
		if !v.Valid() || !covered["t"+k] {
			t.Errorf("type %s (%s) is not tested", k, v)
		}
	}
}

func TestActivityTime(t *testing.T) {
	tests := []struct {
		date, tm, offset, gmtDate, gmtTime string
		want                               string
	}{
		{"20240202", "084714", "-08:00", "20240202", "16:47:14", "2024-02-02T16:47:14Z"},
		{"20240202", "0847", "-08:00", "", "", "2024-02-02T16:47:00Z"},
		{"20210210", "071356", "", "20210210", "74700", "2021-02-10T07:47:00Z"},
		{"20210210", "071356", "", "", "", "2021-02-10T07:13:56Z"},
		{"20210210", "", "", "", "", "2021-02-10T00:00:00Z"},
		{"", "", "", "", "", "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got := activityTime(tt.date, tt.tm, tt.offset, tt.gmtDate, tt.gmtTime).Format("2006-01-02T15:04:05Z07:00")
		if got != tt.want {
			t.Errorf("activityTime(%q, %q, %q, %q, %q) = %s, want %s", tt.date, tt.tm, tt.offset, tt.gmtDate, tt.gmtTime, got, tt.want)
		}
	}
}
