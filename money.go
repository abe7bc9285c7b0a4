package shipgate

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in a currency's minor units (cents for USD), never a float.
// On the wire it is {"amount": "12.34", "currency": "USD"}.
type Money struct {
	Amount   int64  // minor units
	Currency string // ISO 4217 code, upper case
}

// currencyExponent lists ISO 4217 currencies whose minor unit is not 2 digits.
var currencyExponent = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// CurrencyExponent returns the number of minor-unit digits of an ISO 4217 currency
// (2 unless the currency is known to differ).
func CurrencyExponent(currency string) int {
	if e, ok := currencyExponent[currency]; ok {
		return e
	}
	return 2
}

// ValidCurrency reports whether s looks like an ISO 4217 code (three upper-case letters).
func ValidCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// NewMoney returns an amount of minor units in currency.
func NewMoney(minor int64, currency string) Money { return Money{Amount: minor, Currency: currency} }

// ParseMoney parses a decimal string such as "12.34", "-0.5" or "7" into Money.
// More fractional digits than the currency has is an error, never a silent rounding.
func ParseMoney(amount, currency string) (Money, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if !ValidCurrency(currency) {
		return Money{}, fmt.Errorf("currency %q is not an ISO 4217 code", currency)
	}
	minor, err := parseDecimal(strings.TrimSpace(amount), CurrencyExponent(currency))
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: minor, Currency: currency}, nil
}

// ParseMoneyRounded parses a decimal string like ParseMoney but rounds extra
// fractional digits half away from zero. Carriers sometimes quote sub-cent
// amounts ("12.345"); adapters use this for their answers, never for user input.
func ParseMoneyRounded(amount, currency string) (Money, error) {
	amount = strings.TrimSpace(amount)
	exp := CurrencyExponent(strings.ToUpper(strings.TrimSpace(currency)))
	whole, frac, _ := strings.Cut(amount, ".")
	if len(frac) <= exp {
		return ParseMoney(amount, currency)
	}
	m, err := ParseMoney(whole+"."+frac[:exp], currency)
	if err != nil {
		return Money{}, err
	}
	rest := frac[exp:]
	for _, c := range rest {
		if c < '0' || c > '9' {
			return Money{}, fmt.Errorf("amount %q is not a decimal number", amount)
		}
	}
	if rest[0] >= '5' {
		if strings.HasPrefix(amount, "-") {
			m.Amount--
		} else {
			m.Amount++
		}
	}
	return m, nil
}

// MoneyFromFloat converts a carrier's JSON number (FedEx, DHL and USPS send
// money as numbers) to Money, rounding to the currency's minor unit. It is
// used only at an adapter's edge; the domain never holds a float amount.
func MoneyFromFloat(v float64, currency string) (Money, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Money{}, fmt.Errorf("amount %v is not a number", v)
	}
	// strconv gives the shortest decimal that round-trips, so 12.34 stays "12.34".
	return ParseMoneyRounded(strconv.FormatFloat(v, 'f', -1, 64), currency)
}

func parseDecimal(s string, exp int) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("amount is empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("amount %q has more than %d decimal places", s, exp)
	}
	var v int64
	for _, c := range whole + frac + strings.Repeat("0", exp-len(frac)) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("amount %q is not a decimal number", s)
		}
		if v > (math.MaxInt64-9)/10 {
			return 0, fmt.Errorf("amount %q is too large", s)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Decimal formats the amount as a decimal string with the currency's minor digits ("12.30").
func (m Money) Decimal() string { return string(m.appendDecimal(nil)) }

func (m Money) appendDecimal(b []byte) []byte {
	exp := CurrencyExponent(m.Currency)
	a := m.Amount
	if a < 0 {
		b = append(b, '-')
		a = -a // MinInt64 has no positive twin; uint64 below keeps it right
	}
	u := uint64(a)
	if exp == 0 {
		return strconv.AppendUint(b, u, 10)
	}
	p := uint64(math.Pow10(exp))
	b = strconv.AppendUint(b, u/p, 10)
	b = append(b, '.')
	frac := strconv.AppendUint(nil, u%p, 10)
	for i := len(frac); i < exp; i++ {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// String formats the money as "12.30 USD".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// IsZero reports whether m is the zero value.
func (m Money) IsZero() bool { return m.Amount == 0 && m.Currency == "" }

// Add returns m+o. Adding different currencies is an error.
func (m Money) Add(o Money) (Money, error) {
	if m.IsZero() {
		return o, nil
	}
	if o.IsZero() {
		return m, nil
	}
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("cannot add %s to %s", o.Currency, m.Currency)
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Percent returns m multiplied by pct/100, rounded half up in minor units.
func (m Money) Percent(pct int64) Money {
	v := m.Amount * pct
	r := v / 100
	if rem := v % 100; rem >= 50 {
		r++
	} else if rem <= -50 {
		r--
	}
	return Money{Amount: r, Currency: m.Currency}
}

type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON writes {"amount":"12.34","currency":"USD"}.
func (m Money) MarshalJSON() ([]byte, error) {
	if !ValidCurrency(m.Currency) && m.Currency != "" {
		return json.Marshal(moneyJSON{Amount: m.Decimal(), Currency: m.Currency})
	}
	b := make([]byte, 0, 48)
	b = append(b, `{"amount":"`...)
	b = m.appendDecimal(b)
	b = append(b, `","currency":"`...)
	b = append(b, m.Currency...)
	return append(b, `"}`...), nil
}

// UnmarshalJSON reads {"amount":"12.34","currency":"USD"}; the amount may also be
// a JSON number written in decimal notation, which is parsed exactly from its text.
func (m *Money) UnmarshalJSON(b []byte) error {
	var raw struct {
		Amount   json.RawMessage `json:"amount"`
		Currency string          `json:"currency"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	amt := strings.TrimSpace(string(raw.Amount))
	if strings.HasPrefix(amt, `"`) {
		if err := json.Unmarshal(raw.Amount, &amt); err != nil {
			return err
		}
	}
	if strings.ContainsAny(amt, "eE") {
		return fmt.Errorf("amount %q must be a plain decimal", amt)
	}
	v, err := ParseMoney(amt, raw.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
