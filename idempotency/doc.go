// Package idempotency owns the library's one idempotency mechanism: the key a
// caller sends with a create, a transfer or an adapter change, the hash of the
// request it came with, and how long it is remembered.
//
// A key is scoped to the tenant, the acting principal and the operation: the
// same string sent by two users, or for two operations, is two keys. The store
// (package storage, table idempotency_keys) records the key in the change's own
// transaction, with the hash of the request and the result (the created
// entity's ID, or an adapter's response), and then answers:
//
//   - the same key with the same request: the stored result, replayed; nothing
//     is written a second time (no row, no audit entry, no effect);
//   - the same key with another request: clientele.ErrConflict;
//   - the same key while the first request is still in flight:
//     clientele.ErrConflict ("a request with this idempotency key is in
//     progress"), at once, without waiting; the caller retries later and gets
//     the replay. See package storage for how each database engine observes
//     "in flight".
//
// A key is remembered for TTL (24 hours, Stripe's rule). After that it is
// ignored, so a reuse is a new request, and the dispatcher's hourly prune job
// deletes it.
//
// Hash is the one request hash: every caller of the mechanism (clients, users,
// storage's Persistence adapter, and the in-memory adapter fakes, which stand
// for external systems with their own idempotency) computes it the same way.
package idempotency
