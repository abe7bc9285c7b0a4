package api

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shipgate/shipgate"
)

// The rates answer is the hottest path of the product (a checkout page asks
// for it on every cart change), so it is written by hand instead of through
// reflection. TestFastRatesJSON and FuzzFastRatesJSON prove that the bytes
// are what encoding/json would write.

// appendRatesResponse writes a ratesResponse as encoding/json would.
func appendRatesResponse(b []byte, r *ratesResponse) ([]byte, error) {
	b = append(b, `{"rates":`...)
	if r.Rates == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Rates {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendRate(b, &r.Rates[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"errors":`...)
	if len(r.Errors) == 0 && r.Errors != nil {
		b = append(b, "[]"...)
	} else {
		eb, err := json.Marshal(r.Errors) // rare: errors take the slow road
		if err != nil {
			return nil, err
		}
		b = append(b, eb...)
	}
	b = append(b, `,"request_id":`...)
	b = appendString(b, r.RequestID)
	return append(b, '}'), nil
}

func appendRate(b []byte, r *shipgate.Rate) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"carrier":`...)
	b = appendString(b, r.Carrier)
	b = append(b, `,"account":`...)
	b = appendString(b, r.Account)
	b = append(b, `,"service":`...)
	b = appendString(b, r.Service)
	b = append(b, `,"service_name":`...)
	b = appendString(b, r.ServiceName)
	b = append(b, `,"carrier_service_code":`...)
	b = appendString(b, r.CarrierServiceCode)
	b = append(b, `,"total":`...)
	var err error
	if b, err = appendMoney(b, r.Total); err != nil {
		return nil, err
	}
	if len(r.Charges) > 0 {
		b = append(b, `,"charges":[`...)
		for i, c := range r.Charges {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = appendString(b, c.Type)
			if c.Name != "" {
				b = append(b, `,"name":`...)
				b = appendString(b, c.Name)
			}
			b = append(b, `,"amount":`...)
			if b, err = appendMoney(b, c.Amount); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if w := r.BillableWeight; w != nil {
		b = append(b, `,"billable_weight":{"value":`...)
		if b, err = appendFloat(b, w.Value); err != nil {
			return nil, err
		}
		b = append(b, `,"unit":`...)
		b = appendString(b, string(w.Unit))
		b = append(b, '}')
	}
	if r.TransitDays != 0 {
		b = append(b, `,"transit_days":`...)
		b = strconv.AppendInt(b, int64(r.TransitDays), 10)
	}
	if r.EstimatedDelivery != "" {
		b = append(b, `,"estimated_delivery":`...)
		b = appendString(b, r.EstimatedDelivery)
	}
	b = append(b, `,"guaranteed":`...)
	b = strconv.AppendBool(b, r.Guaranteed)
	b = append(b, `,"quoted_at":`...)
	if b, err = appendTime(b, r.QuotedAt); err != nil {
		return nil, err
	}
	if !r.ExpiresAt.IsZero() {
		b = append(b, `,"expires_at":`...)
		if b, err = appendTime(b, r.ExpiresAt); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"cached":`...)
	b = strconv.AppendBool(b, r.Cached)
	b = append(b, `,"stale":`...)
	b = strconv.AppendBool(b, r.Stale)
	return append(b, '}'), nil
}

func appendMoney(b []byte, m shipgate.Money) ([]byte, error) {
	mb, err := m.MarshalJSON() // already hand-written
	return append(b, mb...), err
}

func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y >= 10000 {
		tb, err := t.MarshalJSON() // reports the error encoding/json would
		return append(b, tb...), err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendFloat writes a float64 as encoding/json does.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		_, err := json.Marshal(f)
		return nil, err
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does with
// HTML escaping on (<, > and & as \u003c..., invalid UTF-8 as \ufffd, U+2028
// and U+2029 escaped).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
