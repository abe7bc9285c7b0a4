// Package ups is shipgate's adapter for UPS's REST APIs: rates, labels,
// voids and tracking for one UPS account, with an OAuth token fetched once,
// shared between gateway processes and refreshed before it expires.
//
// It follows UPS's official OpenAPI documents (github.com/UPS-API,
// ../shared/carrier-specs/ups in this workspace):
//
//   - OAuthClientCredentials.yaml: POST /security/v1/oauth/token (HTTP Basic,
//     grant_type=client_credentials, x-merchant-id).
//   - Rating.yaml, version v2409: POST /api/rating/v2409/{Rate|Shop|
//     Ratetimeintransit|Shoptimeintransit}.
//   - Shipping.yaml, version v2409: POST /api/shipments/v2409/ship and
//     DELETE /api/shipments/v2409/void/cancel/{shipmentidentificationnumber}.
//   - Tracking.yaml, version v1: GET /api/track/v1/details/{inquiryNumber}.
//
// Error codes come from UPS's error appendices (the OpenAPI documents give
// the error shape, not the codes): see classify. Tracking status codes
// beyond the spec's example come from UPS's published status list: see
// statusFor.
//
// The simulator in upssim speaks the same paths and JSON; README.md beside
// this file describes configuration, behaviour and limits.
package ups
