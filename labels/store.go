package labels

import (
	"context"
	"time"

	"github.com/shipgate/shipgate"
)

// Record is one purchase as the store keeps it: the label (whatever its
// status), the idempotency key it was bought under, a hash of the request,
// what was asked for, and the lease of the process buying it.
type Record struct {
	Label          shipgate.Label
	Scope          string // the caller (API key name); idempotency keys are per scope
	IdempotencyKey string
	RequestHash    string
	Spec           Spec
	// LeaseUntil: a pending purchase whose lease has passed is in doubt (its
	// process died or lost the answer).
	LeaseUntil time.Time
}

// Spec is what a purchase buys, fully resolved: the shipment, the account and
// the service, and the document wanted.
type Spec struct {
	Shipment  shipgate.Shipment    `json:"shipment"`
	Account   string               `json:"account"`
	Service   string               `json:"service"`
	Format    shipgate.LabelFormat `json:"format"`
	IsReturn  bool                 `json:"is_return,omitempty"`
	Reference string               `json:"reference,omitempty"`
	RateID    string               `json:"rate_id,omitempty"`
}

// StoredDocument is one label document: of one parcel (0-based), in one format.
type StoredDocument struct {
	Parcel int
	Format shipgate.LabelFormat
	Data   []byte
}

// Filter selects labels for List.
type Filter struct {
	Reference      string
	TrackingNumber string
	Status         shipgate.LabelStatus
	// Cursor continues a previous page (opaque).
	Cursor string
	Limit  int
}

// Store is what the labels service needs from storage (store.DB implements it
// on SQLite and PostgreSQL). Errors: not_found for a missing label; anything
// else is the database failing.
type Store interface {
	// InsertPending records a purchase before the carrier is called. When
	// the scope already has a record with the same idempotency key, nothing is
	// written and that record is returned instead.
	InsertPending(ctx context.Context, r *Record) (existing *Record, err error)
	// Retry turns a failed record back into a pending one with a new lease and
	// spec; it reports false when the record is no longer failed.
	Retry(ctx context.Context, id string, spec Spec, leaseUntil, now time.Time) (bool, error)
	// Complete stores the bought label (status purchased), its documents and
	// the purchase event, at once, if the record is still pending or in doubt.
	Complete(ctx context.Context, l *shipgate.Label, docs []StoredDocument, ev *shipgate.Event) error
	// Fail records the outcome of a purchase that did not complete: failed
	// (nothing was bought) or in_doubt (the outcome is unknown), if the record
	// is still in one of the statuses from.
	Fail(ctx context.Context, id string, status shipgate.LabelStatus, e *shipgate.ErrorBody, now time.Time, from ...shipgate.LabelStatus) (bool, error)
	// Get returns a record by label id.
	Get(ctx context.Context, id string) (*Record, error)
	// GetByKey returns a record by scope and idempotency key.
	GetByKey(ctx context.Context, scope, key string) (*Record, error)
	// List returns labels matching f, newest first, and the cursor of the next page ("" at the end).
	List(ctx context.Context, f Filter) ([]*Record, string, error)
	// Documents returns every stored document of a label.
	Documents(ctx context.Context, id string) ([]StoredDocument, error)
	// AddDocument stores one more document (a conversion kept for reprints).
	AddDocument(ctx context.Context, id string, d StoredDocument) error
	// MarkVoided sets a purchased label voided and records the event, at
	// once; it reports false when the label was not purchased.
	MarkVoided(ctx context.Context, id string, at time.Time, ev *shipgate.Event) (bool, error)
	// ExpireLeases marks pending purchases whose lease passed as in doubt and
	// returns their ids.
	ExpireLeases(ctx context.Context, now time.Time) ([]string, error)
	// CountByStatus returns how many labels have the status.
	CountByStatus(ctx context.Context, s shipgate.LabelStatus) (int, error)
}
