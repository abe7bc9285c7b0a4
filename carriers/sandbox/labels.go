package sandbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/document"
)

var (
	_ carriers.Labeler        = (*Client)(nil)
	_ carriers.Voider         = (*Client)(nil)
	_ carriers.PurchaseFinder = (*Client)(nil)
)

// ledger is the sandbox carrier's own memory of what it sold, like a real
// carrier's database: purchases by idempotency key (a repeated key answers
// the same purchase) and voided shipments. It lives as long as the process.
type ledger struct {
	mu         sync.Mutex
	byKey      map[string]*sale
	byTracking map[string]*sale
	voided     map[string]time.Time
}

// sale is what the ledger keeps of a purchase: everything but the documents,
// which are rendered again (deterministically) when asked for.
type sale struct {
	purchase shipgate.Purchase
	req      carriers.PurchaseRequest
	at       time.Time
}

const ledgerMax = 100000

// NewTrackingNumber returns a valid sandbox tracking number for a parcel
// bought at the given time (benchmarks and demos track numbers without
// buying them).
func NewTrackingNumber(at time.Time) string { return trackingNumber(at) }

// trackingNumber returns a sandbox tracking number: "SG", the purchase time in
// Unix seconds (10 digits), 4 random digits and a Luhn check digit. Tracking
// reads the purchase time back from it, so a label's journey needs no state.
func trackingNumber(at time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10000))
	body := fmt.Sprintf("%010d%04d", at.Unix()%10_000_000_000, n.Int64())
	return "SG" + body + strconv.Itoa(luhn(body))
}

// luhn returns the Luhn check digit of a string of digits.
func luhn(digits string) int {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return (10 - sum%10) % 10
}

// parseTrackingNumber checks a sandbox tracking number and returns its purchase time.
func parseTrackingNumber(tn string) (time.Time, bool) {
	if len(tn) != 17 || tn[:2] != "SG" {
		return time.Time{}, false
	}
	body := tn[2:16]
	for _, c := range tn[2:] {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	if strconv.Itoa(luhn(body)) != tn[16:] {
		return time.Time{}, false
	}
	secs, _ := strconv.ParseInt(body[:10], 10, 64)
	return time.Unix(secs, 0), true
}

func (c *Client) service(code string, intl bool) (*service, error) {
	for i := range services {
		s := &services[i]
		if s.Code != code {
			continue
		}
		if intl && !s.international {
			return nil, c.rejectf("service", "SB_SERVICE", "%s does not cross borders", s.Name)
		}
		return s, nil
	}
	return nil, c.rejectf("service", "SB_SERVICE", "no sandbox service %q", code)
}

// Purchase buys a sandbox label: one tracking number and one label per
// parcel, each rendered as PDF, ZPL and PNG (the format asked for first). A
// repeated idempotency key answers the purchase it made before. Errors:
// carrier_rejected for a shipment or service the sandbox cannot serve, and
// the injected faults.
func (c *Client) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	var out *shipgate.Purchase
	err := c.call(ctx, carriers.OpLabels, func() error {
		if req.IdempotencyKey != "" {
			if s := c.sold(req.IdempotencyKey); s != nil {
				p, err := c.render(s, req.Format)
				out = p
				return err
			}
		}
		sh := req.Shipment.Normalized()
		if err := c.check(&sh); err != nil {
			return err
		}
		svc, err := c.service(req.Service, sh.International())
		if err != nil {
			return err
		}
		now := c.env.Now()
		total, charges, _ := price(*svc, &sh, zone(sh.From, sh.To))
		days := svc.transit(zone(sh.From, sh.To))
		if sh.International() {
			days += intlExtraTransitDays
		}
		s := &sale{at: now, req: *req}
		s.req.Shipment = sh
		s.purchase = shipgate.Purchase{
			Total: total, Charges: charges, Service: svc.Code, CarrierServiceCode: svc.CarrierCode,
			EstimatedDelivery: addBusinessDays(sh.ShipDay(now), days).Format(shipgate.DateLayout),
		}
		seen := map[string]bool{}
		for range sh.Parcels {
			tn := trackingNumber(now)
			for seen[tn] {
				tn = trackingNumber(now)
			}
			seen[tn] = true
			s.purchase.Parcels = append(s.purchase.Parcels, shipgate.ParcelLabel{TrackingNumber: tn})
		}
		s.purchase.TrackingNumber = s.purchase.Parcels[0].TrackingNumber
		s.purchase.ShipmentID = s.purchase.TrackingNumber
		p, err := c.render(s, req.Format)
		if err != nil {
			return err
		}
		c.remember(req.IdempotencyKey, s)
		out = p
		return nil
	})
	return out, err
}

// render draws every parcel's label, the format asked for first.
func (c *Client) render(s *sale, want shipgate.LabelFormat) (*shipgate.Purchase, error) {
	p := s.purchase
	p.Parcels = append([]shipgate.ParcelLabel(nil), s.purchase.Parcels...)
	formats := []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG}
	if want.Requestable() {
		formats = append([]shipgate.LabelFormat{want}, removeFormat(formats, want)...)
	}
	svcName := p.Service
	if svc, err := c.service(p.Service, false); err == nil {
		svcName = svc.Name
	}
	sh := s.req.Shipment
	for i := range p.Parcels {
		data := document.LabelData{
			Carrier: "SANDBOX", Service: svcName, From: sh.From, To: sh.To,
			TrackingNumber: p.Parcels[i].TrackingNumber, Weight: sh.Parcels[i].Weight,
			Reference: s.req.Reference, ShipDate: sh.ShipDay(s.at), Parcel: i + 1, Parcels: len(p.Parcels),
			Routing: fmt.Sprintf("%s %s ZONE %d", sh.To.Country, postalPrefix(sh.To.PostalCode), zone(sh.From, sh.To)),
		}
		p.Parcels[i].Extra = nil
		for j, f := range formats {
			b, err := document.Render(data, f)
			if err != nil {
				return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "Sandbox could not render the label", Err: err}
			}
			doc := shipgate.Document{Format: f, Size: document.Size, Data: b}
			if j == 0 {
				p.Parcels[i].Document = doc
			} else {
				p.Parcels[i].Extra = append(p.Parcels[i].Extra, doc)
			}
		}
	}
	return &p, nil
}

func removeFormat(fs []shipgate.LabelFormat, f shipgate.LabelFormat) []shipgate.LabelFormat {
	var out []shipgate.LabelFormat
	for _, x := range fs {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

func postalPrefix(code string) string {
	if len(code) > 3 {
		return code[:3]
	}
	return code
}

func (c *Client) sold(key string) *sale {
	c.ledger.mu.Lock()
	defer c.ledger.mu.Unlock()
	return c.ledger.byKey[key]
}

func (c *Client) remember(key string, s *sale) {
	c.ledger.mu.Lock()
	defer c.ledger.mu.Unlock()
	if len(c.ledger.byTracking) >= ledgerMax {
		// Forget arbitrary old sales; tracking still works without them.
		clear(c.ledger.byKey)
		clear(c.ledger.byTracking)
	}
	if key != "" {
		c.ledger.byKey[key] = s
	}
	for _, p := range s.purchase.Parcels {
		c.ledger.byTracking[p.TrackingNumber] = s
	}
}

// FindPurchase answers whether the sandbox sold a label under req's
// idempotency key: the purchase when it did, not_found when it did not.
func (c *Client) FindPurchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	var out *shipgate.Purchase
	err := c.call(ctx, carriers.OpLabels, func() error {
		s := c.sold(req.IdempotencyKey)
		if s == nil {
			return shipgate.Errorf(shipgate.CodeNotFound, "Sandbox sold nothing under this key")
		}
		p, err := c.render(s, req.Format)
		out = p
		return err
	})
	return out, err
}

// Void voids a sandbox shipment; voiding it again succeeds. Errors:
// carrier_rejected for a number that is not a sandbox tracking number.
func (c *Client) Void(ctx context.Context, req *carriers.VoidRequest) error {
	return c.call(ctx, carriers.OpVoid, func() error {
		id := req.ShipmentID
		if id == "" {
			id = req.TrackingNumber
		}
		if _, ok := parseTrackingNumber(id); !ok {
			return c.rejectf("shipment_id", "SB_NOT_FOUND", "%q is not a sandbox shipment", id)
		}
		now := c.env.Now()
		c.ledger.mu.Lock()
		defer c.ledger.mu.Unlock()
		for _, tn := range append([]string{id}, req.ParcelTrackingNumbers...) {
			if _, done := c.ledger.voided[tn]; !done {
				c.ledger.voided[tn] = now
			}
		}
		return nil
	})
}
