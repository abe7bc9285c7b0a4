// Package labels buys shipping labels exactly once and keeps them: purchase
// under an idempotency key recorded durably before the carrier is called,
// replay of the stored label for a repeated request, conflict for a key reused
// with another request, one carrier purchase for concurrent requests with one
// key, purchases whose outcome is unknown kept "in doubt" and never bought
// again automatically, documents in PDF, ZPL and PNG whatever the carrier
// returned, reprints, void, and label events for webhooks.
//
// A label purchase is never cached and never retried blindly.
package labels

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/rating"
)

// Quoter finds a quote by its rate id (rating.Service).
type Quoter interface {
	Quote(ctx context.Context, id string) (*rating.Quote, error)
}

// Accounts finds carrier accounts (carriers.Registry).
type Accounts interface {
	Lookup(id string) (*carriers.Entry, bool)
	Resolve(name string) ([]*carriers.Entry, error)
}

// Observer counts purchases and in-doubt labels (metrics).
type Observer interface {
	// LabelPurchase counts one purchase attempt: outcome is purchased, failed,
	// in_doubt, replayed or conflict.
	LabelPurchase(account, outcome string)
}

// Config tunes the service.
type Config struct {
	// Wait is how long a request waits for a concurrent purchase under the
	// same key before answering 409 with Retry-After (default 30s).
	Wait time.Duration
	// Lease is how long a purchase may run before it counts as in doubt
	// (default 2m); it must exceed every account's timeout.
	Lease time.Duration
	// PurchaseTimeout bounds a carrier purchase (default 60s; the account's
	// own timeout applies too).
	PurchaseTimeout time.Duration
	// ResolveEvery is how often in-doubt purchases are checked with carriers
	// that can tell (default 1m).
	ResolveEvery time.Duration
	Now          func() time.Time
}

// Service buys and keeps labels.
type Service struct {
	store    Store
	quotes   Quoter
	accounts Accounts
	cfg      Config
	obs      Observer
	log      *slog.Logger

	// life ends when the service stops: purchases in flight are then in doubt.
	life context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// New returns a Service.
func New(store Store, quotes Quoter, accounts Accounts, cfg Config, obs Observer, log *slog.Logger) *Service {
	if cfg.Wait <= 0 {
		cfg.Wait = 30 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.PurchaseTimeout <= 0 {
		cfg.PurchaseTimeout = 60 * time.Second
	}
	if cfg.ResolveEvery <= 0 {
		cfg.ResolveEvery = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	life, stop := context.WithCancel(context.Background())
	return &Service{store: store, quotes: quotes, accounts: accounts, cfg: cfg, obs: obs, log: log, life: life, stop: stop}
}

// Close stops the service: purchases in flight are cancelled and recorded in
// doubt, and background work ends.
func (s *Service) Close() {
	s.stop()
	s.wg.Wait()
}

func (s *Service) observe(account, outcome string) {
	if s.obs != nil {
		s.obs.LabelPurchase(account, outcome)
	}
}

// PurchaseInput is a purchase request: either RateID, or Shipment with
// Account or Carrier and Service.
type PurchaseInput struct {
	// Scope is the caller's identity; idempotency keys are unique per scope.
	Scope          string
	IdempotencyKey string
	RateID         string
	Shipment       *shipgate.Shipment
	Account        string
	Carrier        string
	Service        string
	Format         shipgate.LabelFormat
	IsReturn       bool
	Reference      string
}

// PurchaseResult is the label bought, or bought before under the same key.
type PurchaseResult struct {
	Label *shipgate.Label
	// Replayed is true when the label was bought by an earlier request with
	// the same key and body.
	Replayed bool
}

// requestHash identifies a request body: the same key with another body is a conflict.
func requestHash(in *PurchaseInput) string {
	type canon struct {
		RateID    string             `json:"r,omitempty"`
		Shipment  *shipgate.Shipment `json:"s,omitempty"`
		Account   string             `json:"a,omitempty"`
		Carrier   string             `json:"c,omitempty"`
		Service   string             `json:"v,omitempty"`
		Format    string             `json:"f"`
		IsReturn  bool               `json:"ret,omitempty"`
		Reference string             `json:"ref,omitempty"`
	}
	c := canon{RateID: in.RateID, Account: in.Account, Carrier: in.Carrier, Service: in.Service,
		Format: string(in.Format), IsReturn: in.IsReturn, Reference: in.Reference}
	if in.Shipment != nil {
		n := in.Shipment.Normalized()
		c.Shipment = &n
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Purchase buys a label exactly once per idempotency key. Errors:
// invalid_request (a bad request), not_found (unknown or expired rate id,
// unknown account), unsupported (the account cannot buy labels or produce the
// format), conflict (the key was used for another request, a purchase with the
// key is still running (RetryAfter set) or is in doubt), and the carrier's
// errors; a carrier error whose outcome is unknown leaves the label in doubt.
func (s *Service) Purchase(ctx context.Context, in *PurchaseInput) (*PurchaseResult, error) {
	if in.Format == "" {
		in.Format = shipgate.FormatPDF
	}
	if !in.Format.Requestable() {
		return nil, shipgate.FieldErrorf("label_format", "must be pdf, zpl or png")
	}
	if in.IdempotencyKey == "" {
		return nil, shipgate.FieldErrorf("Idempotency-Key", "the Idempotency-Key header is required to buy a label")
	}
	hash := requestHash(in)
	if rec, err := s.store.GetByKey(ctx, in.Scope, in.IdempotencyKey); err == nil {
		return s.existing(ctx, rec, hash)
	} else if shipgate.ErrorCode(err) != shipgate.CodeNotFound {
		return nil, err
	}
	spec, entry, err := s.resolve(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	rec := &Record{
		Label: shipgate.Label{
			ID: shipgate.NewID("lbl_"), Status: shipgate.LabelPending, Carrier: entry.Carrier, Account: entry.ID,
			Service: spec.Service, RateID: spec.RateID, Reference: spec.Reference, IsReturn: spec.IsReturn,
			Parcels: []shipgate.LabelParcel{}, CreatedAt: now, UpdatedAt: now,
		},
		Scope: in.Scope, IdempotencyKey: in.IdempotencyKey, RequestHash: hash, Spec: *spec,
		LeaseUntil: now.Add(s.cfg.Lease),
	}
	existing, err := s.store.InsertPending(ctx, rec)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return s.existing(ctx, existing, hash)
	}
	return s.buy(ctx, rec, entry)
}

// resolve turns the input into what to buy and from which account.
func (s *Service) resolve(ctx context.Context, in *PurchaseInput) (*Spec, *carriers.Entry, error) {
	spec := &Spec{Format: in.Format, IsReturn: in.IsReturn, Reference: in.Reference, Service: in.Service, Account: in.Account}
	switch {
	case in.RateID != "":
		if in.Shipment != nil || in.Service != "" || in.Account != "" || in.Carrier != "" {
			return nil, nil, shipgate.FieldErrorf("rate_id", "give either rate_id, or shipment with account (or carrier) and service, not both")
		}
		q, err := s.quotes.Quote(ctx, in.RateID)
		if err != nil {
			return nil, nil, err
		}
		spec.Shipment, spec.Account, spec.Service, spec.RateID = q.Shipment, q.Rate.Account, q.Rate.Service, in.RateID
	case in.Shipment != nil:
		spec.Shipment = *in.Shipment
		if in.Service == "" {
			return nil, nil, shipgate.FieldErrorf("service", "is required with a shipment")
		}
		if in.Account == "" && in.Carrier == "" {
			return nil, nil, shipgate.FieldErrorf("account", "name the account (or the carrier) to buy from")
		}
	default:
		return nil, nil, shipgate.FieldErrorf("rate_id", "give a rate_id, or a shipment with account (or carrier) and service")
	}
	if spec.Reference == "" {
		spec.Reference = spec.Shipment.Reference
	}
	entry, err := s.pickAccount(spec.Account, in.Carrier, spec.Service)
	if err != nil {
		return nil, nil, err
	}
	spec.Account = entry.ID
	if !producible(entry.LabelFormats, spec.Format) {
		return nil, nil, &shipgate.Error{Code: shipgate.CodeUnsupported, Fields: []shipgate.FieldError{{Field: "label_format", Message: "not available from this carrier"}},
			Message: fmt.Sprintf("%s returns labels as %v, which cannot be turned into %s: ask for one of those", entry.Carrier, entry.LabelFormats, spec.Format)}
	}
	return spec, entry, nil
}

// producible reports whether a label in format f can be handed over when the
// carrier returns the native formats: natively, or converted from an image.
func producible(native []shipgate.LabelFormat, f shipgate.LabelFormat) bool {
	if len(native) == 0 {
		return true // the adapter does not say: assume it returns what is asked
	}
	for _, n := range native {
		if n == f || n == shipgate.FormatPNG || n == shipgate.FormatGIF {
			return true
		}
	}
	return false
}

func (s *Service) pickAccount(account, carrier, service string) (*carriers.Entry, error) {
	var candidates []*carriers.Entry
	if account != "" {
		e, ok := s.accounts.Lookup(account)
		if !ok {
			return nil, shipgate.FieldErrorf("account", "no carrier account %q", account)
		}
		candidates = []*carriers.Entry{e}
	} else {
		es, err := s.accounts.Resolve(carrier)
		if err != nil {
			return nil, shipgate.FieldErrorf("carrier", "%s", shipgate.ErrorMessage(err))
		}
		candidates = es
	}
	for _, e := range candidates {
		if e.Labeler == nil {
			continue
		}
		if len(e.Services) > 0 {
			if _, ok := e.Service(service); !ok {
				continue
			}
		}
		return e, nil
	}
	if len(candidates) == 1 && candidates[0].Labeler != nil {
		var names []string
		for _, sv := range candidates[0].Services {
			names = append(names, sv.Code)
		}
		return nil, shipgate.FieldErrorf("service", "account %s offers no service %q (it offers %s)", candidates[0].ID, service, strings.Join(names, ", "))
	}
	return nil, shipgate.Errorf(shipgate.CodeUnsupported, "no account named can buy labels for service %q", service)
}

// existing answers a request whose key already has a record.
func (s *Service) existing(ctx context.Context, rec *Record, hash string) (*PurchaseResult, error) {
	deadline := time.Now().Add(s.cfg.Wait)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	wait := 10 * time.Millisecond
	for {
		if rec.RequestHash != hash {
			s.observe(rec.Label.Account, "conflict")
			return nil, shipgate.Errorf(shipgate.CodeConflict,
				"Idempotency-Key %q was already used for a different request (label %s): use a new key for a new purchase", rec.IdempotencyKey, rec.Label.ID)
		}
		switch rec.Label.Status {
		case shipgate.LabelPurchased, shipgate.LabelVoided:
			l, err := s.withDocument(ctx, rec)
			if err != nil {
				return nil, err
			}
			s.observe(rec.Label.Account, "replayed")
			return &PurchaseResult{Label: l, Replayed: true}, nil
		case shipgate.LabelFailed:
			// The carrier said no: nothing was bought, so trying again is safe.
			entry, ok := s.accounts.Lookup(rec.Spec.Account)
			if !ok || entry.Labeler == nil {
				return nil, shipgate.Errorf(shipgate.CodeNotFound, "account %q of label %s is no longer configured", rec.Spec.Account, rec.Label.ID)
			}
			now := s.cfg.Now()
			claimed, err := s.store.Retry(ctx, rec.Label.ID, rec.Spec, now.Add(s.cfg.Lease), now)
			if err != nil {
				return nil, err
			}
			if claimed {
				rec.Label.Status = shipgate.LabelPending
				return s.buy(ctx, rec, entry)
			}
		case shipgate.LabelInDoubt:
			s.observe(rec.Label.Account, "conflict")
			return nil, inDoubtError(rec.Label.ID)
		case shipgate.LabelPending:
			if !s.cfg.Now().Before(rec.LeaseUntil) {
				// Its process died or lost the answer: in doubt, never re-bought.
				if _, err := s.store.Fail(ctx, rec.Label.ID, shipgate.LabelInDoubt, leaseExpired(), s.cfg.Now(), shipgate.LabelPending); err != nil {
					return nil, err
				}
				s.observe(rec.Label.Account, "in_doubt")
				return nil, inDoubtError(rec.Label.ID)
			}
			if time.Now().After(deadline) {
				s.observe(rec.Label.Account, "conflict")
				return nil, &shipgate.Error{Code: shipgate.CodeConflict, RetryAfter: time.Second,
					Message: fmt.Sprintf("a purchase with Idempotency-Key %q is in progress (label %s): retry shortly to get its label", rec.IdempotencyKey, rec.Label.ID)}
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, &shipgate.Error{Code: shipgate.CodeConflict, RetryAfter: time.Second,
					Message: fmt.Sprintf("a purchase with Idempotency-Key %q is in progress (label %s)", rec.IdempotencyKey, rec.Label.ID)}
			case <-t.C:
			}
			wait = min(2*wait, 200*time.Millisecond)
		}
		next, err := s.store.Get(ctx, rec.Label.ID)
		if err != nil {
			return nil, err
		}
		rec = next
	}
}

func inDoubtError(id string) *shipgate.Error {
	return shipgate.Errorf(shipgate.CodeConflict,
		"the purchase under this Idempotency-Key is in doubt (label %s): the carrier may have sold it, so it will not be bought again under this key until it is resolved; see GET /v1/labels/%s", id, id)
}

func leaseExpired() *shipgate.ErrorBody {
	return &shipgate.ErrorBody{Code: shipgate.CodeCarrierTimeout, Message: "the purchase did not finish: the process buying it stopped or lost the carrier's answer"}
}

// notBought reports whether a failed purchase certainly bought nothing: the
// carrier refused it (a 4xx), the request was invalid, or it never left
// (shipgate.ErrNotSent: breaker open, local rate limit). Timeouts, 5xx and
// unreadable answers are in doubt: the carrier may have sold the label.
func notBought(err error) bool {
	if errors.Is(err, shipgate.ErrNotSent) {
		return true
	}
	e := shipgate.AsError(err)
	switch e.Code {
	case shipgate.CodeCarrierRejected, shipgate.CodeInvalidRequest, shipgate.CodeUnsupported, shipgate.CodeNotFound:
		return true
	}
	return e.Carrier != nil && e.Carrier.HTTPStatus >= 400 && e.Carrier.HTTPStatus < 500
}

// buy calls the carrier for a recorded pending purchase and records the outcome.
func (s *Service) buy(ctx context.Context, rec *Record, entry *carriers.Entry) (*PurchaseResult, error) {
	// The purchase does not die with the caller's connection (a client that
	// hangs up gets the label on its retry), only with the service.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.PurchaseTimeout)
	defer cancel()
	stop := context.AfterFunc(s.life, cancel)
	defer stop()

	p, err := entry.Labeler.Purchase(pctx, &carriers.PurchaseRequest{
		Shipment: rec.Spec.Shipment, Service: rec.Spec.Service, Format: rec.Spec.Format,
		IdempotencyKey: rec.Label.ID, IsReturn: rec.Spec.IsReturn, Reference: rec.Spec.Reference,
	})
	if err != nil {
		return nil, s.failed(rec, err)
	}
	l, docs, err := s.bought(rec, p)
	if err != nil {
		return nil, err
	}
	return &PurchaseResult{Label: l}, s.complete(l, docs)
}

// failed records a purchase that returned an error.
func (s *Service) failed(rec *Record, err error) error {
	body := shipgate.Body(err)
	status := shipgate.LabelInDoubt
	if notBought(err) {
		status = shipgate.LabelFailed
	}
	bctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, ferr := s.store.Fail(bctx, rec.Label.ID, status, body, s.cfg.Now(), shipgate.LabelPending); ferr != nil {
		s.log.Error("could not record a failed purchase; it will be in doubt when its lease ends", "label", rec.Label.ID, "err", ferr)
	}
	s.observe(rec.Label.Account, string(status))
	if status == shipgate.LabelFailed {
		return err
	}
	e := shipgate.AsError(err)
	return &shipgate.Error{Code: e.Code, Carrier: e.Carrier, Err: err,
		Message: fmt.Sprintf("%s; the purchase is in doubt (label %s): it will not be bought again under this Idempotency-Key; see GET /v1/labels/%s", e.Message, rec.Label.ID, rec.Label.ID)}
}

// bought builds the stored label and its documents from the carrier's answer.
func (s *Service) bought(rec *Record, p *shipgate.Purchase) (*shipgate.Label, []StoredDocument, error) {
	l := rec.Label
	now := s.cfg.Now()
	l.Status, l.UpdatedAt = shipgate.LabelPurchased, now
	l.ShipmentID, l.TrackingNumber = p.ShipmentID, p.TrackingNumber
	if p.Service != "" {
		l.Service = p.Service
	}
	l.CarrierServiceCode, l.EstimatedDelivery, l.Charges = p.CarrierServiceCode, p.EstimatedDelivery, p.Charges
	if p.Total.Currency != "" {
		total := p.Total
		l.Total = &total
	}
	l.Parcels = make([]shipgate.LabelParcel, len(p.Parcels))
	var docs []StoredDocument
	for i, pl := range p.Parcels {
		l.Parcels[i] = shipgate.LabelParcel{TrackingNumber: pl.TrackingNumber}
		for _, d := range append([]shipgate.Document{pl.Document}, pl.Extra...) {
			if len(d.Data) > 0 {
				docs = append(docs, StoredDocument{Parcel: i, Format: d.Format, Data: d.Data})
			}
		}
	}
	if l.TrackingNumber == "" && len(l.Parcels) > 0 {
		l.TrackingNumber = l.Parcels[0].TrackingNumber
	}
	l.Error = nil
	// Convert to the format asked for now, and keep it: replays and
	// reprints then read it.
	extra, err := converted(docs, rec.Spec.Format, len(l.Parcels), -1)
	docs = append(docs, extra...)
	var doc *shipgate.Document
	if err == nil {
		doc, err = assemble(docs, rec.Spec.Format, len(l.Parcels), -1)
	}
	if err != nil {
		// Bought, but not in the format asked for: keep it and say so rather
		// than lose a paid label; reprints in other formats may still work.
		s.log.Warn("label bought but not available in the format asked for", "label", l.ID, "format", rec.Spec.Format, "err", err)
	} else {
		l.Label = doc
	}
	return &l, docs, nil
}

// complete stores a bought label. A label is money: the store is retried for
// a while; if it still fails the purchase stays pending, becomes in doubt
// when its lease ends, and the carrier look-up or an operator resolves it.
func (s *Service) complete(l *shipgate.Label, docs []StoredDocument) error {
	ev, err := labelEvent(shipgate.EventLabelPurchased, l, s.cfg.Now())
	if err != nil {
		return err
	}
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = s.store.Complete(cctx, l, docs, ev)
		cancel()
		if err == nil {
			s.observe(l.Account, "purchased")
			return nil
		}
		if attempt == 5 {
			break
		}
		time.Sleep(wait)
		wait *= 2
	}
	s.log.Error("LABEL BOUGHT BUT NOT STORED: it will be in doubt; resolve it with the carrier",
		"label", l.ID, "account", l.Account, "tracking_number", l.TrackingNumber, "shipment_id", l.ShipmentID, "err", err)
	s.observe(l.Account, "in_doubt")
	return &shipgate.Error{Code: shipgate.CodeInternal, Err: err,
		Message: fmt.Sprintf("the label was bought (tracking number %s) but could not be stored; it is in doubt (label %s)", l.TrackingNumber, l.ID)}
}

// labelEvent builds a label event: the label without its document bytes.
func labelEvent(typ string, l *shipgate.Label, now time.Time) (*shipgate.Event, error) {
	c := *l
	c.Label = nil
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	return &shipgate.Event{ID: shipgate.NewID("evt_"), Type: typ, CreatedAt: now, Data: b}, nil
}

// withDocument returns the record's label with its document in the format it was bought in.
func (s *Service) withDocument(ctx context.Context, rec *Record) (*shipgate.Label, error) {
	l := rec.Label
	docs, err := s.store.Documents(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	if d, err := assemble(docs, rec.Spec.Format, len(l.Parcels), -1); err == nil {
		l.Label = d
	}
	return &l, nil
}

// Get returns a label with its document. Errors: not_found.
func (s *Service) Get(ctx context.Context, id string) (*shipgate.Label, error) {
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.withDocument(ctx, rec)
}

// List returns labels matching f (without documents), newest first, and the next cursor.
func (s *Service) List(ctx context.Context, f Filter) ([]*shipgate.Label, string, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	recs, next, err := s.store.List(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]*shipgate.Label, len(recs))
	for i, r := range recs {
		l := r.Label
		out[i] = &l
	}
	return out, next, nil
}

// Document returns a label's document in format f: of one parcel (0-based),
// or of every parcel when parcel is -1 (PDF pages merged, ZPL formats one
// after the other; PNG: the first parcel's image). A format that cannot be
// produced from what the carrier returned is unsupported. Errors: not_found,
// invalid_request (no such parcel), unsupported, conflict (no label bought).
func (s *Service) Document(ctx context.Context, id string, f shipgate.LabelFormat, parcel int) (*shipgate.Document, error) {
	if !f.Requestable() {
		return nil, shipgate.FieldErrorf("format", "must be pdf, zpl or png")
	}
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Label.Status != shipgate.LabelPurchased && rec.Label.Status != shipgate.LabelVoided {
		return nil, shipgate.Errorf(shipgate.CodeConflict, "label %s is %s: it has no document", id, rec.Label.Status)
	}
	if parcel < -1 || parcel >= len(rec.Label.Parcels) {
		return nil, shipgate.FieldErrorf("parcel", "label %s has %d parcel(s), numbered from 0", id, len(rec.Label.Parcels))
	}
	docs, err := s.store.Documents(ctx, id)
	if err != nil {
		return nil, err
	}
	extra, err := converted(docs, f, len(rec.Label.Parcels), parcel)
	if err != nil {
		return nil, err
	}
	for _, d := range extra {
		if err := s.store.AddDocument(ctx, id, d); err != nil {
			s.log.Warn("could not keep a converted label document", "label", id, "err", err)
		}
	}
	return assemble(append(docs, extra...), f, len(rec.Label.Parcels), parcel)
}

// Void cancels a purchased label at its carrier. Voiding a voided label
// answers it again. Errors: not_found, conflict (nothing was bought),
// unsupported (the carrier cannot void), and the carrier's errors.
func (s *Service) Void(ctx context.Context, id string) (*shipgate.Label, error) {
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch rec.Label.Status {
	case shipgate.LabelVoided:
		return &rec.Label, nil
	case shipgate.LabelPurchased:
	default:
		return nil, shipgate.Errorf(shipgate.CodeConflict, "label %s is %s: only a purchased label can be voided", id, rec.Label.Status)
	}
	entry, ok := s.accounts.Lookup(rec.Label.Account)
	if !ok {
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "account %q of label %s is no longer configured", rec.Label.Account, id)
	}
	if entry.Voider == nil {
		return nil, shipgate.Errorf(shipgate.CodeUnsupported, "%s labels cannot be voided through its API", entry.Carrier)
	}
	vr := &carriers.VoidRequest{ShipmentID: rec.Label.ShipmentID, TrackingNumber: rec.Label.TrackingNumber}
	for _, p := range rec.Label.Parcels {
		vr.ParcelTrackingNumbers = append(vr.ParcelTrackingNumbers, p.TrackingNumber)
	}
	if err := entry.Voider.Void(ctx, vr); err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	l := rec.Label
	l.Status, l.VoidedAt, l.UpdatedAt = shipgate.LabelVoided, &now, now
	ev, err := labelEvent(shipgate.EventLabelVoided, &l, now)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.MarkVoided(ctx, id, now, ev); err != nil {
		return nil, err
	}
	fresh, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &fresh.Label, nil
}

// Resolution outcomes an operator may record for an in-doubt label.
const (
	// ResolveCheck asks the carrier again (where it can tell).
	ResolveCheck = "check"
	// ResolveNotPurchased records that the carrier sold nothing; the key may then buy again.
	ResolveNotPurchased = "not_purchased"
)

// Resolve settles an in-doubt label: "check" asks the carrier (accounts that
// can look purchases up), "not_purchased" is an operator's word that nothing
// was bought. Errors: not_found, conflict (not in doubt), unsupported (the
// carrier cannot tell: an operator must), invalid_request.
func (s *Service) Resolve(ctx context.Context, id, outcome string) (*shipgate.Label, error) {
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Label.Status != shipgate.LabelInDoubt {
		return nil, shipgate.Errorf(shipgate.CodeConflict, "label %s is %s, not in doubt", id, rec.Label.Status)
	}
	switch outcome {
	case ResolveNotPurchased:
		body := &shipgate.ErrorBody{Code: shipgate.CodeCarrierRejected, Message: "an operator recorded that the carrier sold nothing"}
		if _, err := s.store.Fail(ctx, id, shipgate.LabelFailed, body, s.cfg.Now(), shipgate.LabelInDoubt); err != nil {
			return nil, err
		}
	case ResolveCheck:
		if err := s.check(ctx, rec); err != nil {
			return nil, err
		}
	default:
		return nil, shipgate.FieldErrorf("outcome", "must be check or not_purchased")
	}
	fresh, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &fresh.Label, nil
}

// check asks the carrier whether an in-doubt purchase happened.
func (s *Service) check(ctx context.Context, rec *Record) error {
	entry, ok := s.accounts.Lookup(rec.Label.Account)
	if !ok || entry.PurchaseFinder == nil {
		return shipgate.Errorf(shipgate.CodeUnsupported, "the carrier of label %s cannot look purchases up: check the carrier's account and resolve it with outcome not_purchased, or void it there", rec.Label.ID)
	}
	p, err := entry.PurchaseFinder.FindPurchase(ctx, &carriers.PurchaseRequest{
		Shipment: rec.Spec.Shipment, Service: rec.Spec.Service, Format: rec.Spec.Format,
		IdempotencyKey: rec.Label.ID, IsReturn: rec.Spec.IsReturn, Reference: rec.Spec.Reference,
	})
	if shipgate.ErrorCode(err) == shipgate.CodeNotFound {
		body := &shipgate.ErrorBody{Code: shipgate.CodeCarrierRejected, Message: "the carrier has no record of this purchase: nothing was bought"}
		_, err = s.store.Fail(ctx, rec.Label.ID, shipgate.LabelFailed, body, s.cfg.Now(), shipgate.LabelInDoubt)
		return err
	}
	if err != nil {
		return err
	}
	l, docs, err := s.bought(rec, p)
	if err != nil {
		return err
	}
	return s.complete(l, docs)
}

// Run does the background work until ctx ends or the service closes: it
// marks purchases whose lease ended as in doubt and asks carriers that can
// tell about in-doubt purchases.
func (s *Service) Run(ctx context.Context) {
	s.wg.Add(1)
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.ResolveEvery)
	defer t.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.life.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) sweep(ctx context.Context) {
	ids, err := s.store.ExpireLeases(ctx, s.cfg.Now())
	if err != nil {
		s.log.Warn("could not expire purchase leases", "err", err)
	}
	for _, id := range ids {
		s.log.Warn("purchase in doubt: its process stopped before the carrier answered", "label", id)
	}
	recs, _, err := s.store.List(ctx, Filter{Status: shipgate.LabelInDoubt, Limit: 100})
	if err != nil {
		return
	}
	for _, rec := range recs {
		if e, ok := s.accounts.Lookup(rec.Label.Account); !ok || e.PurchaseFinder == nil {
			continue
		}
		if err := s.check(ctx, rec); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("could not resolve an in-doubt purchase", "label", rec.Label.ID, "err", err)
		}
	}
}

// InDoubt returns how many purchases are in doubt (the metric).
func (s *Service) InDoubt(ctx context.Context) (int, error) {
	return s.store.CountByStatus(ctx, shipgate.LabelInDoubt)
}
