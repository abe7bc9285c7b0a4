package ups

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// codeAlreadyVoided is UPS's answer to a void of a voided shipment (Shipping
// error appendix: 190117 "The Shipment has already been voided").
const codeAlreadyVoided = "190117"

// Void cancels a whole shipment (every package) through UPS's void
// operation (DELETE /shipments/v2409/void/cancel/{id}). Voiding an already
// voided shipment succeeds: UPS answers 190117 and Void returns nil. The
// shipment is named by req.ShipmentID, else req.TrackingNumber (equal for
// UPS's 1Z numbers).
//
// Errors: invalid_request without a shipment number; carrier_rejected when
// UPS refuses (190102: not found within the void period, 190101: too late,
// 190103: already picked up...), with UPS's code kept; carrier_unavailable,
// carrier_timeout or rate_limited when UPS fails.
func (c *Client) Void(ctx context.Context, req *carriers.VoidRequest) error {
	id := strings.ToUpper(strings.TrimSpace(firstNonEmpty(req.ShipmentID, req.TrackingNumber)))
	if id == "" {
		return shipgate.FieldErrorf("shipment_id", "a UPS shipment identification number is required to void")
	}
	var out voidResponseEnvelope
	_, err := c.call(ctx, &carrierhttp.Request{
		Op: carriers.OpVoid, Method: http.MethodDelete,
		Path: "/shipments/" + ShippingVersion + "/void/cancel/" + url.PathEscape(id),
		// A void may be repeated: UPS answers "already voided", which is success.
		Idempotent: true,
	}, &out)
	if err != nil {
		var e *shipgate.Error
		if errors.As(err, &e) && e.Carrier != nil && e.Carrier.Code == codeAlreadyVoided {
			return nil
		}
		return err
	}
	if st := strings.TrimSpace(out.VoidShipmentResponse.SummaryResult.Status.Code.String()); st != "1" {
		return &shipgate.Error{
			Code:    shipgate.CodeCarrierRejected,
			Message: "UPS did not void the shipment: " + strings.TrimSpace(out.VoidShipmentResponse.SummaryResult.Status.Description.String()),
			Carrier: &shipgate.CarrierError{Account: c.id, Carrier: Name, Code: st, HTTPStatus: http.StatusOK},
		}
	}
	return nil
}
