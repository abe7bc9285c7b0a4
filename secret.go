package shipgate

import (
	"fmt"
	"log/slog"
)

// Secret is a credential from the configuration (a client secret, a password).
// It redacts itself wherever it is printed: fmt verbs, JSON, slog, panics.
// Reveal returns the value for the one place that must send it.
type Secret struct{ v string }

// NewSecret wraps a credential.
func NewSecret(v string) Secret { return Secret{v: v} }

const redacted = "[REDACTED]"

// Reveal returns the secret value. Call it only to put the value on the wire.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String returns a fixed placeholder, never the value.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return redacted
}

// GoString returns a fixed placeholder for %#v.
func (s Secret) GoString() string { return `shipgate.Secret("` + s.String() + `")` }

// Format makes every fmt verb print the placeholder.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue makes slog print the placeholder.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the placeholder, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText writes the placeholder, never the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
