package carriers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shipgate/shipgate"
)

// Entry is one registered account with its capabilities, each already wrapped
// by the decorators (cache, breaker) the gateway configured. A nil capability
// means the account cannot do it.
type Entry struct {
	ID      string
	Carrier string
	Config  AccountConfig

	Rater          Rater
	Labeler        Labeler
	Voider         Voider
	Tracker        Tracker
	BatchTracker   BatchTracker
	PurchaseFinder PurchaseFinder

	// Services lists what the account offers; empty when the adapter does not say.
	Services []shipgate.Service
	// LabelFormats lists the label formats the carrier returns natively;
	// empty when the adapter does not say (FormatLister).
	LabelFormats []shipgate.LabelFormat
	// Health reports breaker states; nil when there are no breakers.
	Health HealthReporter
}

// HealthReporter reports the circuit breaker state ("closed", "open",
// "half_open") of each operation of one account.
type HealthReporter interface {
	BreakerStates() map[string]string
}

// NewEntry finds the capabilities of adapter by type assertion, once.
func NewEntry(cfg AccountConfig, adapter any) *Entry {
	e := &Entry{ID: cfg.ID, Carrier: cfg.Carrier, Config: cfg}
	e.Rater, _ = adapter.(Rater)
	e.Labeler, _ = adapter.(Labeler)
	e.Voider, _ = adapter.(Voider)
	e.Tracker, _ = adapter.(Tracker)
	e.BatchTracker, _ = adapter.(BatchTracker)
	e.PurchaseFinder, _ = adapter.(PurchaseFinder)
	if l, ok := adapter.(ServiceLister); ok {
		e.Services = l.Services()
	}
	if f, ok := adapter.(FormatLister); ok {
		e.LabelFormats = f.LabelFormats()
	}
	return e
}

// Capabilities names what the account can do, in a fixed order.
func (e *Entry) Capabilities() []string {
	var c []string
	if e.Rater != nil {
		c = append(c, OpRates)
	}
	if e.Labeler != nil {
		c = append(c, OpLabels)
	}
	if e.Voider != nil {
		c = append(c, OpVoid)
	}
	if e.Tracker != nil || e.BatchTracker != nil {
		c = append(c, OpTracking)
	}
	return c
}

// Service returns the named service of the account.
func (e *Entry) Service(name string) (shipgate.Service, bool) {
	for _, s := range e.Services {
		if s.Code == name {
			return s, true
		}
	}
	return shipgate.Service{}, false
}

// Constructor builds an adapter for one account. The adapter is a value
// implementing some of Rater, Labeler, Voider, Tracker, BatchTracker.
type Constructor func(cfg AccountConfig, env Env) (any, error)

// Registry holds the configured accounts, in configuration order.
type Registry struct {
	entries map[string]*Entry
	order   []string
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{entries: map[string]*Entry{}} }

// Register adds an entry. A second entry with the same id is refused.
func (r *Registry) Register(e *Entry) error {
	if e.ID == "" {
		return fmt.Errorf("carrier account has no id")
	}
	if _, dup := r.entries[e.ID]; dup {
		return fmt.Errorf("carrier account %q is configured twice", e.ID)
	}
	r.entries[e.ID] = e
	r.order = append(r.order, e.ID)
	return nil
}

// Lookup returns the account with the given id.
func (r *Registry) Lookup(id string) (*Entry, bool) {
	e, ok := r.entries[id]
	return e, ok
}

// Entries returns every account, in configuration order.
func (r *Registry) Entries() []*Entry {
	out := make([]*Entry, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.entries[id])
	}
	return out
}

// Resolve finds the accounts a caller names: an account id, or a carrier name
// (every account of that carrier). An unknown name is a not_found Error that
// lists the names that exist.
func (r *Registry) Resolve(name string) ([]*Entry, error) {
	if e, ok := r.entries[name]; ok {
		return []*Entry{e}, nil
	}
	var out []*Entry
	for _, id := range r.order {
		if e := r.entries[id]; e.Carrier == name {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "no carrier account or carrier named %q; configured accounts: %s", name, strings.Join(r.order, ", "))
	}
	return out, nil
}

// Build constructs and registers one adapter per account with the constructor
// table (carrier name -> Constructor) and the Env envFor gives the account,
// then lets decorate wrap each entry's capabilities. An unknown carrier name
// is an error that lists the known ones.
func Build(accounts []AccountConfig, ctors map[string]Constructor, envFor func(AccountConfig) Env, decorate func(*Entry) error) (*Registry, error) {
	r := NewRegistry()
	for _, a := range accounts {
		ctor, ok := ctors[a.Carrier]
		if !ok {
			known := make([]string, 0, len(ctors))
			for k := range ctors {
				known = append(known, k)
			}
			sort.Strings(known)
			return nil, fmt.Errorf("account %q: unknown carrier %q (known carriers: %s)", a.ID, a.Carrier, strings.Join(known, ", "))
		}
		adapter, err := ctor(a, envFor(a).WithDefaults())
		if err != nil {
			return nil, err
		}
		e := NewEntry(a, adapter)
		if decorate != nil {
			if err := decorate(e); err != nil {
				return nil, fmt.Errorf("account %q: %w", a.ID, err)
			}
		}
		if err := r.Register(e); err != nil {
			return nil, err
		}
	}
	return r, nil
}
