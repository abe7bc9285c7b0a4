// Package carriers declares what shipgate needs from a carrier: one small
// interface per capability (Rater, Labeler, Voider, Tracker, BatchTracker),
// the configuration of one carrier account, the Registry of configured
// accounts, and ResponseError, the carrier's own answer behind a failed call.
//
// An adapter package (sandbox, ups, dhl, ...) implements the interfaces its
// carrier supports; the Registry finds them by type assertion once, when an
// account is registered. Decorators (carriers/cache, carriers/breaker) wrap
// each capability through the same interfaces.
package carriers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/shipgate/shipgate"
)

// Operation names, as used in metrics, breakers and simulator statistics.
const (
	OpRates    = "rates"
	OpLabels   = "labels"
	OpVoid     = "void"
	OpTracking = "tracking"
	OpOAuth    = "oauth"
)

// Rater quotes prices for a shipment.
type Rater interface {
	// Rates returns one Rate per service the account offers for the shipment
	// (only those in req.Services when it is not empty). Errors are
	// *shipgate.Error: carrier_rejected for a shipment the carrier refuses,
	// carrier_unavailable, carrier_timeout or rate_limited when the carrier fails.
	Rates(ctx context.Context, req *RateRequest) ([]shipgate.Rate, error)
}

// RateRequest asks one account for rates.
type RateRequest struct {
	Shipment shipgate.Shipment
	// Services restricts the answer to these shipgate service names; empty means all.
	Services []string
	// ShipmentKey is ShipmentKey(&Shipment) when the caller computed it
	// already (rate shopping asks many accounts about one shipment); empty
	// means Key computes it.
	ShipmentKey string
}

// ShipmentKey returns a stable hash of the normalized shipment: equal
// shipments written differently (spaces, letter case of codes) get equal keys.
func ShipmentKey(s *shipgate.Shipment) string {
	b, _ := json.Marshal(s.Normalized()) // a Shipment always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Key returns a stable hash of the normalized request (shipment and services
// in any order). Cache entries, coalescing and quote ids use it.
func (r *RateRequest) Key() string {
	sk := r.ShipmentKey
	if sk == "" {
		sk = ShipmentKey(&r.Shipment)
	}
	if len(r.Services) == 0 {
		return sk
	}
	sum := sha256.Sum256([]byte(sk + "|" + strings.Join(normalizeList(r.Services), ",")))
	return hex.EncodeToString(sum[:16])
}

func normalizeList(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Labeler buys labels.
type Labeler interface {
	// Purchase buys one label per parcel of req.Shipment for req.Service. It is
	// never retried blindly: an error after the request left may mean the label
	// was bought. Adapters send req.IdempotencyKey where the carrier accepts one.
	Purchase(ctx context.Context, req *PurchaseRequest) (*shipgate.Purchase, error)
}

// PurchaseRequest asks one account for a label.
type PurchaseRequest struct {
	Shipment shipgate.Shipment
	// Service is the shipgate service name ("ups_ground").
	Service string
	// Format is the label format wanted (pdf, zpl, png). An adapter returns it
	// when its carrier offers it, or the closest format it has (the labels
	// package converts).
	Format         shipgate.LabelFormat
	IdempotencyKey string
	IsReturn       bool
	Reference      string
}

// PurchaseFinder looks up, at the carrier, whether a purchase whose outcome is
// unknown (in doubt) took place. It answers not_found when nothing was bought.
type PurchaseFinder interface {
	FindPurchase(ctx context.Context, req *PurchaseRequest) (*shipgate.Purchase, error)
}

// Voider voids (cancels and refunds) a label.
type Voider interface {
	// Void cancels the shipment. Voiding an already voided shipment is not an
	// error. A carrier that cannot void a shipment answers unsupported.
	Void(ctx context.Context, req *VoidRequest) error
}

// VoidRequest names the shipment to void.
type VoidRequest struct {
	ShipmentID     string
	TrackingNumber string
	// ParcelTrackingNumbers are the per-parcel numbers of the shipment.
	ParcelTrackingNumbers []string
}

// Tracker tracks one tracking number.
type Tracker interface {
	// Track returns the tracking history, events newest first, each event's
	// Status mapped from the carrier's code (StatusUnknown when unmapped) and
	// the carrier's code kept. An unknown number is not_found.
	Track(ctx context.Context, trackingNumber string) (*shipgate.Tracking, error)
}

// BatchTracker tracks several numbers in one carrier call.
type BatchTracker interface {
	// TrackBatch returns one result per number, in order.
	TrackBatch(ctx context.Context, trackingNumbers []string) ([]TrackResult, error)
	// MaxBatch is how many numbers one call may carry.
	MaxBatch() int
}

// TrackResult is one number's answer in a batch.
type TrackResult struct {
	Tracking *shipgate.Tracking
	Err      error
}

// FormatLister says which label formats a carrier returns natively. The
// labels service converts images (PNG, GIF) to every format, but cannot turn
// a PDF or ZPL label into another format: it refuses, before buying, a
// format it could not hand over. An adapter without it is assumed to return
// whatever is asked for.
type FormatLister interface {
	LabelFormats() []shipgate.LabelFormat
}

// ServiceLister lists the services an account offers (for GET /v1/carriers).
type ServiceLister interface {
	Services() []shipgate.Service
}
