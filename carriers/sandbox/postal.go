package sandbox

import (
	"regexp"
	"strings"
)

// postalFormats are the postal code formats the sandbox accepts, per country.
// A country not listed accepts any code of 2 to 10 letters, digits, spaces or
// dashes; countries without postal codes accept an empty one.
var postalFormats = map[string]*regexp.Regexp{
	"US": regexp.MustCompile(`^\d{5}(-\d{4})?$`),
	"CA": regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$`),
	"GB": regexp.MustCompile(`^([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|GIR ?0AA)$`),
	"DE": regexp.MustCompile(`^\d{5}$`),
	"FR": regexp.MustCompile(`^\d{5}$`),
	"ES": regexp.MustCompile(`^\d{5}$`),
	"IT": regexp.MustCompile(`^\d{5}$`),
	"NL": regexp.MustCompile(`^\d{4} ?[A-Z]{2}$`),
	"BE": regexp.MustCompile(`^\d{4}$`),
	"AT": regexp.MustCompile(`^\d{4}$`),
	"CH": regexp.MustCompile(`^\d{4}$`),
	"AU": regexp.MustCompile(`^\d{4}$`),
	"JP": regexp.MustCompile(`^\d{3}-?\d{4}$`),
	"MX": regexp.MustCompile(`^\d{5}$`),
	"BR": regexp.MustCompile(`^\d{5}-?\d{3}$`),
	"IN": regexp.MustCompile(`^\d{6}$`),
	"CN": regexp.MustCompile(`^\d{6}$`),
	"SE": regexp.MustCompile(`^\d{3} ?\d{2}$`),
	"PL": regexp.MustCompile(`^\d{2}-\d{3}$`),
}

var noPostalCode = map[string]bool{"HK": true, "AE": true, "IE": true, "QA": true}

var genericPostal = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{1,9}$`)

// validPostal reports whether code is a well-formed postal code of country.
func validPostal(country, code string) bool {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return noPostalCode[country]
	}
	if re, ok := postalFormats[country]; ok {
		return re.MatchString(code)
	}
	return genericPostal.MatchString(code)
}
