// Package clientele is a library for running clients, staff ("associates"), users and
// client self-service for a financial back office, on top of the core-banking,
// identity, CRM, document and messaging systems an institution already has.
//
// The root package holds only what every other package shares: the error kinds.
// Every error the library returns wraps exactly one of ErrNotFound, ErrInvalid,
// ErrConflict, ErrForbidden, ErrUnauthenticated, ErrPrecondition, ErrUnavailable or
// ErrPortalDisabled; test for them with errors.Is. Input problems come as a
// *ValidationError that lists every failing field by its JSON name.
//
// How the pieces wire together:
//
//	db, _ := storage.Open(ctx, "sqlite://clientele.db")   // or postgres://…
//	az, _ := authz.New(db.Authz(), db.Authz())             // permissions, roles, policies
//	svc, _ := clients.New(db.Clients(), az)                // domain service
//	c, err := svc.Create(ctx, principal, input, idemKey)   // authorizes, validates, audits
//
// Packages: authz (permissions, roles, the policy language and the authorizer),
// adapters (contracts for core banking, identity, CRM, documents, messaging and
// persistence, with in-memory and HTTP implementations), clients (client lifecycle),
// users (user accounts, registration, sessions), associates (offices,
// classifications, the staff hierarchy and its links), tenants (the institutions
// of a deployment), outbox (the adapter effects a change commits, delivered after
// it), idempotency (the one rule for repeated requests), audit (the entry every
// change writes), storage (bun on SQLite and PostgreSQL: the stores, the unit of
// work and the outbox's dispatcher), httpapi (the HTTP API as a mountable
// handler) and problem (its error documents). examples/server mounts the HTTP
// API in a server of its own.
package clientele
