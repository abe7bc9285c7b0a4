package dhl

import (
	"context"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Void answers unsupported: the MyDHL API 3.3.1 has no call that cancels a
// shipment (its only cancel operation, DELETE /pickups/{dispatchConfirmationNumber},
// cancels a courier pickup). A DHL Express label that is never tendered to
// DHL is not billed, so an unwanted label only needs to be discarded. No
// call is made. Errors: always unsupported.
func (c *Client) Void(ctx context.Context, req *carriers.VoidRequest) error {
	return shipgate.Errorf(shipgate.CodeUnsupported,
		"DHL Express has no shipment cancellation in the MyDHL API: discard the label of shipment %s; DHL bills only shipments it picks up or receives", req.TrackingNumber)
}
