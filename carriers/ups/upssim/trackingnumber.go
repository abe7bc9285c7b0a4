package upssim

import (
	"fmt"
	"strings"
)

// TrackingNumber returns a UPS 1Z tracking number: "1Z", the 6-character
// shipper (account) number, the 2-character service code, a 7-digit package
// identifier (here a 5-digit shipment sequence and a 2-digit package number)
// and UPS's check digit: 18 characters.
func TrackingNumber(account, serviceCode string, shipment, pkg int) string {
	body := fmt.Sprintf("%-6.6s%-2.2s%05d%02d", strings.ToUpper(account), strings.ToUpper(serviceCode), shipment%100000, pkg%100)
	body = strings.ReplaceAll(body, " ", "0")
	d, _ := CheckDigit(body)
	return "1Z" + body + string(d)
}

// CheckDigit computes UPS's check digit of the 15 characters that follow
// "1Z": letters count as (their ASCII code - 63) mod 10 (A=2, B=3, ... J=1),
// digits as themselves; characters in even positions (2nd, 4th, ...) count
// twice; the check digit is what brings the sum to a multiple of 10. ok is
// false when body is not 15 letters or digits.
func CheckDigit(body string) (digit byte, ok bool) {
	if len(body) != 15 {
		return 0, false
	}
	sum := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = (int(c) - 63) % 10
		default:
			return 0, false
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10), true
}

// ValidTrackingNumber reports whether tn is a well-formed 1Z tracking number
// with a correct check digit.
func ValidTrackingNumber(tn string) bool {
	if len(tn) != 18 || !strings.HasPrefix(tn, "1Z") {
		return false
	}
	d, ok := CheckDigit(tn[2:17])
	return ok && d == tn[17]
}
