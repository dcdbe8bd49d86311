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
// classifications, the staff hierarchy and its links), storage (bun on SQLite and
// PostgreSQL). examples/server wires them into an HTTP server.
package clientele
