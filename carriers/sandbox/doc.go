// Package sandbox is shipgate's built-in carrier: no credentials, no network,
// deterministic answers. The embedded default configuration and the tests use
// it; its account options inject latency and faults for demos.
//
// Pricing. Three services, priced from a zone and the billable weight:
//
//	sandbox_ground     domestic only   base  $6.50 + $0.45/lb x zone, 1-5 business days
//	sandbox_express    domestic+intl   base $14.00 + $0.95/lb x zone, 2 business days
//	sandbox_overnight  domestic+intl   base $29.00 + $1.60/lb x zone, 1 business day
//
// The zone (2..8) comes from the distance between the first three digits of
// the origin and destination postal codes (US style); other countries use the
// leading characters. International shipments are zone 9 and pay a surcharge
// of $25 plus 20% of the transportation charge; their transit is 2 days longer.
// The billable weight is the larger of the actual weight and the dimensional
// weight (L x W x H in inches / 139), each parcel rounded up to the next whole
// pound. Residential delivery adds $4.95, and every rate carries a 12% fuel
// surcharge on transportation. The estimated delivery date counts business
// days from the ship date, skipping Saturdays and Sundays.
//
// Rejections. A postal code that does not match its country's format (US
// 12345 or 12345-6789, CA A1A 1A1, GB, DE, FR, NL, AU, JP, ... see postal.go)
// is refused with carrier_rejected, the way a real carrier refuses an
// address it cannot serve.
//
// Options (per account): latency ("100ms"), fail_rate (0..1, the share of
// calls that fail with carrier_unavailable), mode (ok, error, timeout = never
// answers, 429, malformed), time_scale (simulated seconds per real second for
// tracking, default 1).
package sandbox
