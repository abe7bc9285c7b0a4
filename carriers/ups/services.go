package ups

import (
	"strings"

	"github.com/shipgate/shipgate"
)

// serviceTable maps UPS service codes (Shipping.yaml, Shipment_Service.Code)
// to stable shipgate names. Mail Innovations (M2-M7), Roadie (C6-C8) and
// freight master/LTL (T0, T1) need other account types and are left out.
var serviceTable = []shipgate.Service{
	{Code: "ups_next_day_air", Name: "UPS Next Day Air", CarrierCode: "01", Domestic: true},
	{Code: "ups_2nd_day_air", Name: "UPS 2nd Day Air", CarrierCode: "02", Domestic: true},
	{Code: "ups_ground", Name: "UPS Ground", CarrierCode: "03", Domestic: true},
	{Code: "ups_worldwide_express", Name: "UPS Worldwide Express", CarrierCode: "07", Domestic: true, International: true},
	{Code: "ups_worldwide_expedited", Name: "UPS Worldwide Expedited", CarrierCode: "08", International: true},
	{Code: "ups_standard", Name: "UPS Standard", CarrierCode: "11", Domestic: true, International: true},
	{Code: "ups_3_day_select", Name: "UPS 3 Day Select", CarrierCode: "12", Domestic: true},
	{Code: "ups_next_day_air_saver", Name: "UPS Next Day Air Saver", CarrierCode: "13", Domestic: true},
	{Code: "ups_next_day_air_early", Name: "UPS Next Day Air Early", CarrierCode: "14", Domestic: true},
	{Code: "ups_worldwide_economy_ddu", Name: "UPS Worldwide Economy DDU", CarrierCode: "17", International: true},
	{Code: "ups_worldwide_express_plus", Name: "UPS Worldwide Express Plus", CarrierCode: "54", Domestic: true, International: true},
	{Code: "ups_2nd_day_air_am", Name: "UPS 2nd Day Air A.M.", CarrierCode: "59", Domestic: true},
	{Code: "ups_worldwide_saver", Name: "UPS Worldwide Saver", CarrierCode: "65", Domestic: true, International: true},
	{Code: "ups_access_point_economy", Name: "UPS Access Point Economy", CarrierCode: "70", Domestic: true, International: true},
	{Code: "ups_worldwide_express_freight_midday", Name: "UPS Worldwide Express Freight Midday", CarrierCode: "71", International: true},
	{Code: "ups_worldwide_economy_ddp", Name: "UPS Worldwide Economy DDP", CarrierCode: "72", International: true},
	{Code: "ups_express_1200", Name: "UPS Express 12:00", CarrierCode: "74", Domestic: true, International: true},
	{Code: "ups_heavy_goods", Name: "UPS Heavy Goods", CarrierCode: "75", Domestic: true},
	{Code: "ups_today_standard", Name: "UPS Today Standard", CarrierCode: "82", Domestic: true},
	{Code: "ups_today_dedicated_courier", Name: "UPS Today Dedicated Courier", CarrierCode: "83", Domestic: true},
	{Code: "ups_today_intercity", Name: "UPS Today Intercity", CarrierCode: "84", Domestic: true},
	{Code: "ups_today_express", Name: "UPS Today Express", CarrierCode: "85", Domestic: true},
	{Code: "ups_today_express_saver", Name: "UPS Today Express Saver", CarrierCode: "86", Domestic: true},
	{Code: "ups_worldwide_express_freight", Name: "UPS Worldwide Express Freight", CarrierCode: "96", International: true},
}

var (
	serviceByCode = indexServices(func(s shipgate.Service) string { return s.CarrierCode })
	serviceByName = indexServices(func(s shipgate.Service) string { return s.Code })
	serviceByText = indexServices(func(s shipgate.Service) string { return strings.ToLower(s.Name) })
)

func indexServices(key func(shipgate.Service) string) map[string]shipgate.Service {
	m := make(map[string]shipgate.Service, len(serviceTable))
	for _, s := range serviceTable {
		m[key(s)] = s
	}
	return m
}

// Services lists the UPS services this adapter knows, with their UPS codes.
// Which of them an account may use depends on the account and the lane; Rates
// answers only those UPS quotes.
func (c *Client) Services() []shipgate.Service {
	return append([]shipgate.Service(nil), serviceTable...)
}

// serviceForCode returns the service of a UPS code ("03", also "3" or "003").
func serviceForCode(code string) (shipgate.Service, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if s, ok := serviceByCode[code]; ok {
		return s, true
	}
	trimmed := strings.TrimLeft(code, "0")
	for len(trimmed) < 2 {
		trimmed = "0" + trimmed
	}
	s, ok := serviceByCode[trimmed]
	return s, ok
}

// LabelFormats are the label formats UPS returns at ship time that shipgate
// asks for: ZPL on 4x6 stock, and GIF (converted to PNG and PDF).
func (c *Client) LabelFormats() []shipgate.LabelFormat {
	return []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatGIF}
}
