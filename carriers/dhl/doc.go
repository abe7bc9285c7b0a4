// Package dhl is the DHL Express carrier adapter: rates, labels and tracking
// through the MyDHL API.
//
// It follows the official OpenAPI document "DHL Express APIs (MyDHL API)"
// version 3.3.1 (file dpdhl-express-api-3.3.1.yaml in the carrier specs,
// x-release-date 2026-06-28):
//
//   - POST /rates (exp-api-rates-many): rates for one or many pieces;
//   - POST /shipments (exp-api-shipments): shipment, waybill, piece IDs and labels (201);
//   - GET /shipments/{shipmentTrackingNumber}/tracking (exp-api-shipments-tracking)
//     and GET /tracking (exp-api-shipments-tracking-multi, up to 200 waybills): tracking.
//
// Every call carries HTTP Basic credentials, the required header
// "x-version: 3.3.1" and a fresh Message-Reference; there is no token step.
// The API has no shipment cancellation and no idempotency header: Void
// answers unsupported and Purchase is sent exactly once.
//
// The package's README.md describes configuration, the product table, label
// formats and DHL's quirks. Its simulator is carriers/dhl/dhlsim.
package dhl
