// Package shipgate holds the domain vocabulary of the shipgate gateway: addresses,
// parcels with explicit units, money in integer minor units, shipments, rates,
// labels, the normalized tracking status and the one error type with its codes.
//
// It imports only the standard library. Every other package speaks these types:
// carrier adapters translate them to and from their carrier's wire format,
// the services (rating, labels, tracking) combine them and the api package
// serves them as JSON.
package shipgate
