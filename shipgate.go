// Package shipgate holds the domain vocabulary of the shipgate gateway: addresses,
// parcels with explicit units, money in integer minor units, shipments, rates,
// labels, the normalized tracking status and the one error type with its codes.
//
// It imports only the standard library. Every other package speaks these types:
// carrier adapters translate them to and from their carrier's wire format,
// the services (rating, labels, tracking) combine them and the api package
// serves them as JSON.
package shipgate

import (
	"crypto/rand"
	"encoding/base32"
)

// idEncoding is lower-case Crockford-style base32: no i, l, o or u to misread.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new random identifier with a type prefix ("lbl_", "evt_"):
// 120 random bits, 24 characters after the prefix.
func NewID(prefix string) string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return prefix + idEncoding.EncodeToString(b[:])
}
