package shipgate_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/shipgate/shipgate"
)

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
		err     bool
	}{
		{"12.34", "USD", 1234, false},
		{"12.3", "usd", 1230, false},
		{"12", "EUR", 1200, false},
		{"-0.05", "USD", -5, false},
		{"+7.00", "USD", 700, false},
		{".5", "USD", 50, false},
		{"12.345", "USD", 0, true},
		{"1500", "JPY", 1500, false},
		{"15.5", "JPY", 0, true},
		{"1.234", "KWD", 1234, false},
		{"abc", "USD", 0, true},
		{"1.2.3", "USD", 0, true},
		{"", "USD", 0, true},
		{"-", "USD", 0, true},
		{"1e3", "USD", 0, true},
		{"12.34", "US", 0, true},
		{"99999999999999999999", "USD", 0, true},
	} {
		m, err := shipgate.ParseMoney(tc.in, tc.cur)
		if (err != nil) != tc.err || (!tc.err && m.Amount != tc.want) {
			t.Errorf("ParseMoney(%q, %q) = %v, %v; want %d (error %v)", tc.in, tc.cur, m.Amount, err, tc.want, tc.err)
		}
	}
}

func TestParseMoneyRounded(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"12.345", 1235}, {"12.344", 1234}, {"-0.005", -1}, {"0.004", 0}, {"7", 700}, {"1.99999", 200}} {
		m, err := shipgate.ParseMoneyRounded(tc.in, "USD")
		if err != nil || m.Amount != tc.want {
			t.Errorf("ParseMoneyRounded(%q) = %d, %v; want %d", tc.in, m.Amount, err, tc.want)
		}
	}
	if m, err := shipgate.MoneyFromFloat(12.34, "USD"); err != nil || m.Amount != 1234 {
		t.Errorf("MoneyFromFloat(12.34) = %v %v", m, err)
	}
	if m, err := shipgate.MoneyFromFloat(0.1+0.2, "USD"); err != nil || m.Amount != 30 {
		t.Errorf("MoneyFromFloat(0.1+0.2) = %v %v", m, err)
	}
	if _, err := shipgate.MoneyFromFloat(math.NaN(), "USD"); err == nil {
		t.Error("NaN accepted")
	}
}

func TestMoneyJSON(t *testing.T) {
	for _, tc := range []struct {
		m    shipgate.Money
		want string
	}{
		{shipgate.NewMoney(1234, "USD"), `{"amount":"12.34","currency":"USD"}`},
		{shipgate.NewMoney(5, "USD"), `{"amount":"0.05","currency":"USD"}`},
		{shipgate.NewMoney(-1205, "EUR"), `{"amount":"-12.05","currency":"EUR"}`},
		{shipgate.NewMoney(1500, "JPY"), `{"amount":"1500","currency":"JPY"}`},
		{shipgate.NewMoney(1234, "KWD"), `{"amount":"1.234","currency":"KWD"}`},
	} {
		b, err := json.Marshal(tc.m)
		if err != nil || string(b) != tc.want {
			t.Errorf("marshal %v = %s, %v; want %s", tc.m, b, err, tc.want)
		}
		var back shipgate.Money
		if err := json.Unmarshal(b, &back); err != nil || back != tc.m {
			t.Errorf("round trip of %s = %v, %v", b, back, err)
		}
	}
	var m shipgate.Money
	if err := json.Unmarshal([]byte(`{"amount":12.5,"currency":"USD"}`), &m); err != nil || m.Amount != 1250 {
		t.Errorf("number amount: %v %v", m, err)
	}
	for _, bad := range []string{`{"amount":"1.234","currency":"USD"}`, `{"amount":1e2,"currency":"USD"}`, `{"amount":"1","currency":"dollars"}`, `"12"`} {
		if err := json.Unmarshal([]byte(bad), &m); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestMoneyAdd(t *testing.T) {
	a, _ := shipgate.NewMoney(100, "USD").Add(shipgate.NewMoney(250, "USD"))
	if a.Amount != 350 {
		t.Error(a)
	}
	if _, err := shipgate.NewMoney(1, "USD").Add(shipgate.NewMoney(1, "EUR")); err == nil {
		t.Error("added two currencies")
	}
	if p := shipgate.NewMoney(1460, "USD").Percent(12); p.Amount != 175 {
		t.Errorf("12%% of 14.60 = %v", p)
	}
}

func FuzzMoney(f *testing.F) {
	for _, s := range []string{"12.34", "-0.5", "0", "1e5", "99999999999999999999", ".", "-.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := shipgate.ParseMoney(s, "USD")
		if err != nil {
			return
		}
		back, err := shipgate.ParseMoney(m.Decimal(), "USD")
		if err != nil || back != m {
			t.Fatalf("%q -> %v -> %q -> %v %v", s, m, m.Decimal(), back, err)
		}
	})
}
