// Package outbox declares the adapter effects a change implies, as plain values,
// and the handlers that carry them out.
//
// A domain service that changes something an external system must learn of (a
// client created, an invitation to send) does not call the adapter itself. It
// returns the change together with one Effect per adapter call, and the store
// commits both in one transaction: the row, its audit entry and its effects. A
// dispatcher (storage.Dispatcher, on River) then delivers each effect to its
// Handler, retrying with exponential backoff until it succeeds or is parked.
// Nothing is lost by a crash between commit and delivery, and nothing is sent for
// a change that rolled back.
//
// Delivery is at least once; exactly-once effect comes from the adapters'
// idempotency keys: every Effect carries the key its handler must send.
//
// # Order
//
// The dispatcher keeps no order between effects, so effects whose order matters
// are state-based: the handler sends the entity's current state, and the
// dispatcher keeps, per entity and target adapter, a Progress record (created
// yet? which version was last delivered?) that only moves forward. An update
// that runs before its create creates the entity first; an older update that
// runs after a newer one finds nothing to do. Effects of one entity and one
// target are delivered one at a time (the dispatcher leases the Progress
// record), so two workers never race on one entity.
//
// # Parked effects
//
// An effect whose handler keeps failing is parked after the configured number
// of attempts (or at once for an error marked Permanent). Parked effects are
// listed per tenant and per entity with their last error, and an operator can
// replay one (Service.Replay), which delivers it again under its same key.
//
// This package imports no River and no database; storage implements Store.
package outbox
