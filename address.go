package shipgate

import "strings"

// Address is a postal address. Country is ISO 3166-1 alpha-2; State is the
// postal abbreviation (CA, ON, NSW) where the country has them.
type Address struct {
	Name        string `json:"name,omitempty" validate:"max=100"`
	Company     string `json:"company,omitempty" validate:"max=100"`
	Street1     string `json:"street1" validate:"required,max=100"`
	Street2     string `json:"street2,omitempty" validate:"max=100"`
	City        string `json:"city" validate:"required,max=60"`
	State       string `json:"state,omitempty" validate:"max=20"`
	PostalCode  string `json:"postal_code,omitempty" validate:"max=20"`
	Country     string `json:"country" validate:"required,iso3166_1_alpha2"`
	Phone       string `json:"phone,omitempty" validate:"max=30"`
	Email       string `json:"email,omitempty" validate:"omitempty,email,max=100"`
	Residential bool   `json:"residential,omitempty"`
}

// Normalized returns a copy with surrounding spaces removed, country and state
// upper-cased and the postal code upper-cased with runs of spaces collapsed, so
// that two spellings of one address compare (and cache) equal.
func (a Address) Normalized() Address {
	a.Name = strings.TrimSpace(a.Name)
	a.Company = strings.TrimSpace(a.Company)
	a.Street1 = strings.TrimSpace(a.Street1)
	a.Street2 = strings.TrimSpace(a.Street2)
	a.City = strings.TrimSpace(a.City)
	a.State = strings.ToUpper(strings.TrimSpace(a.State))
	a.PostalCode = strings.ToUpper(strings.Join(strings.Fields(a.PostalCode), " "))
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	a.Phone = strings.TrimSpace(a.Phone)
	a.Email = strings.TrimSpace(a.Email)
	return a
}
